"""Request parameters every service takes the same way."""

from typing import Annotated

from fastapi import Path

# Row ids are INT columns (MariaDB's is 32-bit signed); a larger number names no row, and
# passing it to the database driver would fail with an overflow instead of a clear 4xx.
MAX_ROW_ID = 2**31 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id (1 to 2^31-1).")]
