"""Unit tests for the small pipeline steps: normalisation, language id, sentences, tries, lexicon."""

from __future__ import annotations

from services.classify.langid import detect_language, looks_english, normalise_code
from services.classify.lexicon import matcher
from services.classify.mentions import find_mentions
from services.classify.normalize import classes, fold
from services.classify.sentences import split_sentences
from services.classify.trie import Trie, find_all, word_starts
from services.classify.types import Entry


def test_fold_keeps_length_and_folds_accents_only_for_el_and_ro() -> None:
    """Lower-casing keeps offsets; Greek and Romanian lose accents, Turkish dotted I folds to i."""
    assert fold("ΑΓΟΡΆ", "el") == "αγορα"
    assert fold("Achiziționează", "ro") == "achizitioneaza"
    assert fold("Kauf", "de") == "kauf"
    assert fold("İHA", "tr") == "iha"
    assert len(fold("Straße", "de")) == len("Straße")


def test_classes_split_scripts() -> None:
    """A change of script is a word boundary (K2 + Korean particle)."""
    assert classes("K2를") == "LNK"
    assert classes("戦闘機 F") == "CCC L"


def test_language_codes_and_detection() -> None:
    """Declared tags map to the 22 codes; undeclared text is identified."""
    assert normalise_code("de-AT") == "de"
    assert normalise_code("iw") == "he"
    assert normalise_code("xx") is None
    assert detect_language("Das Verteidigungsministerium hat neue Hubschrauber bestellt.") == "de"
    assert detect_language("Міністерство оборони отримало нові гелікоптери.") == "uk"
    assert looks_english("The ministry said that the order for the drones was signed by the army.")
    assert not looks_english("Das Ministerium hat den Vertrag unterzeichnet.")


def test_sentences_are_verbatim_and_respect_abbreviations() -> None:
    """Each sentence is a slice of the text; 'U.S.' and German ordinals do not end a sentence."""
    text = "The U.S. Army ordered ten trucks. Delivery starts soon.\nAm 3. Mai kam es an."
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "The U.S. Army ordered ten trucks.",
        "Delivery starts soon.",
        "Am 3. Mai kam es an.",
    ]
    for s in sents:
        assert text[s.start : s.start + len(s.text)] == s.text


def test_trie_word_boundaries_suffixes_and_loose_keys() -> None:
    """Forms match whole words, allowed suffixes, and loose keys ignore hyphens and spaces."""
    trie = Trie()
    trie.add("iran", Entry("country", "IR"))
    trie.add("kazakistan", Entry("country", "KZ", max_suffix=12))
    text = "iranian kazakistan'dan kazakistanı"
    cls = classes(text)
    hits = [
        (text[s:e], en.data) for s, e, en in find_all(trie, text, cls, word_starts(cls, text, "tr"), None)
    ]
    assert ("iran", "IR") not in hits
    assert hits.count(("kazakistan", "KZ")) == 2
    loose = Trie(loose=True)
    loose.add("f35a", Entry("system", 1))
    t2 = "the f-35 a and f35a jets"
    c2 = classes(t2)
    assert len(find_all(loose, t2, c2, word_starts(c2, t2, "en"), None)) == 2


def test_arabic_proclitics_start_a_match() -> None:
    """'وتركيا' (and Turkey) matches Turkey after the proclitic waw."""
    sm = find_mentions("وقعت باكستان وتركيا اتفاقية", matcher("ar"))
    assert {m.entry.data for m in sm.parties} >= {"PK", "TR"}


def test_inflected_country_names_resolve() -> None:
    """Case forms of Kazakhstan in German, Russian and Polish all resolve to KZ."""
    for lang, sentence in (
        ("de", "Die Drohnen Kasachstans sind neu."),
        ("ru", "Турция продаст Казахстану беспилотники."),
        ("pl", "Turcja sprzeda Kazachstanowi drony."),
    ):
        sm = find_mentions(sentence, matcher(lang))
        assert "KZ" in {m.entry.data for m in sm.parties}, (lang, sentence)


def test_common_word_is_not_a_country() -> None:
    """Lower-case 'того' (ru 'that') is not Togo; capitalised names are required."""
    sm = find_mentions("Кроме того, переговоры вели Эмираты.", matcher("ru"))
    assert "TG" not in {m.entry.data for m in sm.parties}


def test_system_spellings_and_weak_names() -> None:
    """Designations match across spellings and scripts; a weak bare name needs its capital."""
    table_names = {
        find_mentions("Греция закупит F-35A и Су-35.", matcher("ru")).systems[0].entry.sub,
    }
    assert table_names == {""}
    sm = find_mentions("The patriot act is not a missile.", matcher("en"))
    assert not sm.systems
    sm = find_mentions("Poland bought Patriot batteries.", matcher("en"))
    assert sm.systems
