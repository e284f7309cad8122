"""Name normalisation for search: lower case, accents removed, spaces collapsed (pure)."""

import unicodedata


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_accents.casefold().split())
