"""The profile in several languages: one primary JSON Resume and one translation per language.

JSON Resume has no way to say a field in two languages, so each language is a document of its
own. A translation may leave out whatever does not change (dates, URLs, whole items): it is
merged over the primary document field by field, and lists by position, so an item or field
the translation lacks falls back to the primary one.
"""

from typing import Any

from mysite_site.resume import SECTIONS, Resume


def merge_translation(primary: Any, translation: Any) -> Any:
    """The translation over the primary document: objects key by key, lists position by
    position (the primary's extra items follow untranslated), anything else replaced."""
    if isinstance(primary, dict) and isinstance(translation, dict):
        merged = dict(primary)
        for key, value in translation.items():
            merged[key] = merge_translation(primary[key], value) if key in primary else value
        return merged
    if isinstance(primary, list) and isinstance(translation, list):
        merged_items = [
            merge_translation(original, translated)
            for original, translated in zip(primary, translation, strict=False)
        ]
        # Only one of these two tails is non-empty.
        return merged_items + primary[len(translation) :] + translation[len(primary) :]
    return translation


def translation_delta(primary: Any, translated: Any) -> Any:
    """The smallest translation that merges over `primary` into `translated`: what equals the
    primary is left out, so it keeps following the primary when that changes later.
    Returns None when nothing differs."""
    if isinstance(primary, dict) and isinstance(translated, dict):
        delta = {}
        for key, value in translated.items():
            if key not in primary:
                delta[key] = value
                continue
            changed = translation_delta(primary[key], value)
            if changed is not None:
                delta[key] = changed
        return delta or None
    if isinstance(primary, list) and isinstance(translated, list):
        if len(translated) < len(primary):
            # A translation cannot remove items (the primary's always show through); what
            # it can say is the items it has.
            translated = translated + primary[len(translated) :]
        items: list[Any] = []
        for index, value in enumerate(translated):
            if index >= len(primary):
                items.append(value)
                continue
            changed = translation_delta(primary[index], value)
            # A list keeps its positions: an unchanged object is {}, an unchanged text repeats.
            if changed is None:
                changed = {} if isinstance(value, dict) else value
            items.append(changed)
        # Trailing unchanged items say nothing: the primary's show through.
        while 0 < len(items) <= len(primary) and _unchanged(items[-1], primary[len(items) - 1]):
            items.pop()
        return items or None
    return None if primary == translated else translated


def _unchanged(item: Any, original: Any) -> bool:
    return bool(item == {} or item == original)


def untranslated_items(primary: Resume, translation: Resume) -> set[tuple[str, int]]:
    """(section, position) of the list items the translation says nothing about: the page
    marks them with the primary document's language."""
    missing: set[tuple[str, int]] = set()
    for section in SECTIONS:
        items = primary.get(section.key)
        if not isinstance(items, list):
            continue
        translated = translation.get(section.key)
        translated = translated if isinstance(translated, list) else []
        for index in range(len(items)):
            if index >= len(translated) or translated[index] in ({}, None):
                missing.add((section.key, index))
    return missing


def summary_translated(translation: Resume) -> bool:
    basics = translation.get("basics")
    return isinstance(basics, dict) and bool(basics.get("summary"))
