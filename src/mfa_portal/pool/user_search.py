"""ListUsers' filters as index ranges, so a page costs the same at a thousand users as at a million.

``username``, ``email``, ``cognito:user_status`` and ``status`` read indexed columns (pool schema
migration 8). An exact match (``=``) is an equality on ``(pool_id, column, id)`` and pages in id
order; a prefix (``^=``) is the range ``prefix <= column < next(prefix)`` on the same index and pages
in ``(column, id)`` order, so neither ever sorts or skips more rows than one page. The range is plain
comparison (binary, code-point order: SQLite's default, PostgreSQL's ``COLLATE "C"``), not ``LIKE``,
whose index use depends on case and collation settings; ``%`` and ``_`` are ordinary characters.
Other searchable attributes live only in the attributes document and are matched row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mfa_portal.pool.user_filter import UserFilter

MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)  # not characters: UTF-8 cannot hold them

#: The indexed column each attribute reads; the value is upper-cased for the case-free ones.
INDEXED: dict[str, str] = {
    "username": "username",
    "email": "email",
    "cognito:user_status": "status",
}
_UPPER = frozenset({"cognito:user_status"})  # statuses are stored upper case
_ENABLED = {"Enabled": 1, "Disabled": 0}


def prefix_upper_bound(prefix: str) -> str | None:
    """The least string greater than every string starting with ``prefix`` (None: no bound).

    The last character that is not the highest code point is incremented and what follows it
    dropped: "ab" -> "ac", "a\\U0010ffff" -> "b", "" or all-highest -> None.
    """
    chars = list(prefix)
    while chars:
        point = ord(chars.pop()) + 1
        if point in _SURROGATES:
            point = _SURROGATES.stop
        if point <= MAX_CODE_POINT:
            return "".join(chars) + chr(point)
    return None


@dataclass(frozen=True)
class Search:
    """A WHERE fragment (after ``pool_id = ?``), its parameters, and the keyset column.

    ``order`` is None for id order; otherwise pages go by ``(order, id)``.
    """

    where: str
    args: list[Any]
    order: str | None = None

    def page_sql(
        self, pool_id: str, after: int, key: str | None, limit: int
    ) -> tuple[str, list[Any]]:
        """``SELECT`` one page after the position (``key``, ``after``) of a pagination token."""
        parts = ["pool_id = ?"] + ([self.where] if self.where else [])
        args: list[Any] = [pool_id, *self.args]
        if self.order is None:
            parts.append("id > ?")
            args.append(after)
            order_by = "id"
        else:
            if key is not None:
                parts.append(f"({self.order}, id) > (?, ?)")
                args += [key, after]
            order_by = f"{self.order}, id"
        sql = f"SELECT * FROM users WHERE {' AND '.join(parts)} ORDER BY {order_by} LIMIT ?"
        return sql, [*args, limit]


def search_for(search: UserFilter | None) -> Search:
    """The indexed query for a parsed filter (or for everyone)."""
    if search is None:
        return Search("", [])
    if search.attribute == "status":
        return _enabled(search)
    column = INDEXED.get(search.attribute)
    if column is None:  # only in the attributes document: matched row by row, in id order
        where, args = search.sql()
        return Search(where, list(args))
    value = search.value.upper() if search.attribute in _UPPER else search.value
    if not search.prefix:
        return Search(f"{column} = ?", [value])
    bound = prefix_upper_bound(value)
    if bound is None:
        return Search(f"{column} >= ?", [value], order=column)
    return Search(f"{column} >= ? AND {column} < ?", [value, bound], order=column)


def _enabled(search: UserFilter) -> Search:
    """``status`` is Enabled or Disabled, i.e. the ``enabled`` column (prefixes: the matching ones)."""
    if search.prefix:
        flags = [flag for word, flag in _ENABLED.items() if word.startswith(search.value)]
    else:
        flags = [_ENABLED[search.value]] if search.value in _ENABLED else []
    if len(flags) == len(_ENABLED):
        return Search("", [])
    if not flags:
        return Search("0 = 1", [])
    return Search("enabled = ?", flags)
