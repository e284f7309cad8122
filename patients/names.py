"""Name normalisation for search: lower case, accents removed, spaces collapsed (pure)."""

import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
NOT_DECOMPOSABLE = str.maketrans(
    {
        "ł": "l", "đ": "d", "ð": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe",
        "þ": "th", "\u0131": "i", "ɔ": "o", "ɛ": "e",  # \u0131 is the dotless i
    }
)  # fmt: skip


# Hyphens and dashes join the parts of a name; typed either way ("Garcia-Lopez", "Garcia Lopez") they match.
DASHES = str.maketrans({"-": " ", "\u2010": " ", "\u2011": " ", "\u2013": " ", "\u2014": " "})


def normalise(text: str) -> str:
    text = text.translate(DASHES)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_accents.translate(NOT_DECOMPOSABLE).split())


def search_name(*, given: str, preferred: str, family: str) -> str:
    """What name search matches against: every name the patient goes by, normalised."""
    return normalise(f"{given} {preferred} {family}")
