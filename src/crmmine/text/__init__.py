"""Every user-facing word, in English and Chinese: labels (:mod:`.labels`) and findings (:mod:`.findings`).

Code never writes a user-facing string literal; it asks :func:`label` for it, so every report exists
wholly in each language.
"""

from .labels import LABELS, LANGUAGES, get_language, label, set_language

__all__ = ["LABELS", "LANGUAGES", "get_language", "label", "set_language"]
