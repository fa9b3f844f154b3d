"""Reads of customs declarations and their items."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.customs.model import CustomsDeclaration, DeclarationItem

DECLARATIONS = cast(sa.Table, CustomsDeclaration.__table__)
DECLARATION_ITEMS = cast(sa.Table, DeclarationItem.__table__)
