"""Ship: how a consumer order travels from where the goods are to the consumer. Logistics methods, carriers
and their lanes (effective-dated reference data with quotes and sandbox tracking numbers), and shipments
with their packages and tracking events."""
