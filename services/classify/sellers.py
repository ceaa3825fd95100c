"""Choose the sellers of an item: the named ones ranked by how closely the sentence ties them to it, else its producer (R19)."""

from __future__ import annotations

from services.classify.roles import country_name
from services.classify.types import Mention, Party, SystemInfo


def sellers_for(
    info: SystemInfo | None,
    sellers: list[Party],
    buyers: list[Party],
    item: Mention | None = None,
    items: list[Mention] | None = None,
    marked: list[Party] | None = None,
) -> list[Party]:
    """The named sellers, best first, else the system's producer country (R19).

    Best: the system's producer country, then its maker, then the seller the sentence ties to this
    item: a maker's demonym right before it ('des türkischen UAV'), or the first seller marked as one
    after it, before the next item ('180 K2 tanks from Hyundai Rotem and 212 K9 howitzers from
    Hanwha'); then the order of mention. Two companies of one country are two sellers; two mentions of one country are one.
    """
    buyer_isos = {b.iso for b in buyers}
    named: list[Party] = []
    for s in sellers:
        if (s.iso not in buyer_isos or s.is_company) and all(_seller_key(s) != _seller_key(n) for n in named):
            named.append(s)
    if named:

        def rank(s: Party) -> tuple[bool, bool, int]:
            maker = bool(
                info and info.manufacturer and s.is_company and _same_company(s.name, info.manufacturer)
            )
            is_marked = any(s is p for p in marked or [])
            return (
                info is not None and s.iso != info.producer_iso,
                not maker,
                _tie(s, is_marked, item, items or []),
            )

        named.sort(key=rank)
        return named
    if info is not None and info.producer_iso:
        if info.producer_iso in buyer_isos:
            return [
                Party(
                    info.manufacturer or country_name(info.producer_iso), info.producer_iso, is_company=True
                )
            ]
        return [Party(country_name(info.producer_iso), info.producer_iso)]
    return []


def _tie(seller: Party, is_marked: bool, item: Mention | None, items: list[Mention]) -> int:
    """0: an unmarked maker's demonym right before the item; 1: a marked seller after it, before the next item."""
    if item is None or seller.start < 0:
        return 2
    if seller.start < item.start:
        between = any(seller.start < o.start < item.start for o in items if o is not item)
        return 0 if not is_marked and not between and item.start - seller.start <= 25 else 2
    following = [o.start for o in items if o.start > item.start]
    return 1 if is_marked and seller.start < min(following, default=1 << 30) else 2


def _seller_key(p: Party) -> str:
    return p.name.casefold() if p.is_company else (p.iso or p.name)


def _same_company(name: str, maker: str) -> bool:
    """'Hanwha Aerospace' and 'Hanwha Aerospace', 'Hyundai Rotem' and 'Hyundai Rotem Co.'."""
    a, b = name.casefold(), maker.casefold()
    return a == b or a.startswith(b) or b.startswith(a)
