"""The vendor's catalog: items with their case packs and effective-dated cost history."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta
from decimal import Decimal

from recovery.money import quantize
from recovery.testing.scenario.world import CURRENCY, Carrier, Item

VENDOR_CODE = "BRWHL"
VENDOR_NAME = "Brightwell Home Goods"

CATEGORY_NAMES = (
    "Kitchen",
    "Home Storage",
    "Cleaning",
    "Bath",
    "Outdoor",
    "Pet Supplies",
    "Office",
    "Garden",
    "Lighting",
    "Tools",
    "Baby",
    "Sports",
    "Toys",
    "Beauty",
    "Grocery",
    "Automotive",
    "Crafts",
    "Travel",
    "Party",
    "Seasonal",
)

NOUNS = (
    "Storage Bin",
    "Spice Rack",
    "Dish Rack",
    "Mixing Bowl Set",
    "Cutting Board",
    "Trash Can",
    "Shower Caddy",
    "Laundry Basket",
    "Drawer Organizer",
    "Water Bottle",
    "Lunch Box",
    "Planter",
    "Towel Bar",
    "Hanger Pack",
    "Food Container Set",
    "Pet Bowl",
    "Desk Organizer",
    "LED Lamp",
)

ADJECTIVES = ("Classic", "Slim", "Large", "Compact", "Deluxe", "Eco", "Stackable", "Pro")

# Amazon fulfilment centre codes receiving vendor freight.
FULFILMENT_CENTRES = (
    "ABE8",
    "ONT8",
    "MDW2",
    "SDF8",
    "FTW1",
    "BFI4",
    "PHX6",
    "TPA1",
    "RIC2",
    "CLT2",
    "IND9",
    "MQJ1",
)

CARRIERS = (
    Carrier("Estes Express Lines", "EXLA"),
    Carrier("Old Dominion Freight Line", "ODFL"),
    Carrier("XPO Logistics", "CNWY"),
    Carrier("Saia LTL Freight", "SAIA"),
    Carrier("R+L Carriers", "RLCA"),
    Carrier("FedEx Freight", "FXFE"),
    Carrier("ABF Freight", "ABFS"),
)

COST_REASONS = ("Raw material increase", "Freight surcharge", "Annual price review")


def categories(count: int) -> list[str]:
    names = list(CATEGORY_NAMES[:count])
    names += [f"Category {n}" for n in range(len(names) + 1, count + 1)]
    return names


def make_catalog(rng: random.Random, count: int, n_categories: int, start: date) -> list[Item]:
    """Items with a cost in force from well before the period, and for about a third of them an
    approved cost increase during it (the vendor's cost list records both)."""
    names = categories(n_categories)
    seen: set[str] = set()
    items: list[Item] = []
    alphabet = string.ascii_uppercase + string.digits
    for index in range(count):
        asin = ""
        while not asin or asin in seen:
            asin = "B0" + "".join(rng.choice(alphabet) for _ in range(8))
        seen.add(asin)
        cost = quantize(Decimal(rng.randint(250, 6000)) / 100, CURRENCY)
        case_pack = rng.choice((4, 6, 6, 8, 12, 12, 12, 24))
        item = Item(
            asin=asin,
            sku=f"BW-{10000 + index * 7:05d}",
            title=f"{VENDOR_NAME.split()[0]} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
            category=names[index % len(names)],
            case_pack=case_pack,
            carton_weight_lb=max(3, int(case_pack * rng.uniform(0.4, 2.5))),
            list_price=quantize(cost * Decimal(rng.choice(("1.8", "2.0", "2.2", "2.5"))), CURRENCY),
            costs=[(start - timedelta(days=400), cost, "Initial cost")],
        )
        if rng.random() < 0.35:
            add_cost_change(rng, item, start + timedelta(days=rng.randint(20, 300)))
        items.append(item)
    return items


def add_cost_change(rng: random.Random, item: Item, effective: date) -> None:
    """An approved cost increase from `effective` on (at most one per item)."""
    if len(item.costs) > 1:
        return
    old = item.costs[0][1]
    new = quantize(old * (1 + Decimal(rng.randint(3, 12)) / 100), CURRENCY)
    if new == old:
        new = old + Decimal("0.01")
    item.costs.append((effective, new, rng.choice(COST_REASONS)))


def upc_for(item: Item) -> str:
    digits = "".join(str(ord(c) % 10) for c in item.asin[2:])
    return f"8{digits}{sum(map(int, digits)) % 10:d}0"[:12]
