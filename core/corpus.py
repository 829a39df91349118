"""Parallel English -> French corpora for the translation labs, offline first.

Interface (shared by the seq2seq, attention and Transformer labs; keep it stable):

- `generate_pairs(n, seed) -> list[(english, french)]`: `n` distinct sentence pairs from the
  project's grammar, the same for the same seed.
- `load_corpus(name="generated", size=20_000, data_dir=None) -> Corpus`: `.train` and
  `.heldout` lists of (source, target) strings, `.description` (which data, and whether it is a
  fallback), `.longer_than(n)` (held-out pairs whose source has more than n words) and
  `.to_dict()` (for a checkpoint's config). Deterministic; cached per process.
- `CORPORA`: the names `load_corpus` accepts ("generated", "tatoeba").

**The grammar.** A few hundred English words: about 65 nouns with gender and irregular plurals,
35 adjectives, 40 verbs with their French conjugations, pronouns, determiners, prepositions.
Sentences are one or two clauses (4 to about 15 words) with what makes French differ from
English: gender and number agreement of articles, adjectives and verbs; most adjectives after
the noun ("the red car" -> "la voiture rouge"); object pronouns before the verb ("the dog sees
her" -> "le chien la voit"); negation around the verb ("ne ... pas"); possessives turned round
("the boy's dog" -> "le chien du garçon"); elision and contraction (l', j', du, au).
Every English sentence has exactly one French translation, so a perfect model scores BLEU 100.

**The held-out split** is fixed and disjoint by construction: an English sentence is held out
when a hash of its text falls in a 10% bucket, whatever the corpus size or seed. Training pairs
come only from the other 90%, so no held-out sentence is ever trained on (the course scored
BLEU on its training pairs).

**Tatoeba** (the translation labs' default): 73,681 real English-French pairs, the shortest of
the Tatoeba Project's (English up to 30 characters), shipped in the repository as
`data/tatoeba-eng-fra.tsv.gz` (CC-BY 2.0 France; sentences from the Tatoeba Project,
tatoeba.org, via manythings.org/anki: see data/README.md). Nothing is downloaded. An English
sentence may have several correct translations, on several lines: the split is by English
sentence (the same hash bucket), every translation of a training sentence is a training pair,
and a held-out sentence is scored against all its translations (`Corpus.references`). If the
file is missing, the generated corpus is used instead and the description says so.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CORPORA = ("tatoeba", "generated")
HELDOUT_SHARE = 0.10  # hash bucket of held-out English sentences
HELDOUT_SIZE = 500
HELDOUT_SEED = 20_240_601  # the held-out pairs are drawn from their own fixed stream
TATOEBA_FILE = Path(__file__).resolve().parents[1] / "data" / "tatoeba-eng-fra.tsv.gz"
TATOEBA_MAX_WORDS = 12
TATOEBA_HELDOUT_SIZE = 1000  # held-out English sentences scored (of the ~4,800 in the bucket)
TATOEBA_CREDIT = "sentences from the Tatoeba Project (tatoeba.org, CC-BY 2.0 France), via manythings.org/anki"


class CorpusError(ValueError):
    """A corpus name or size is not one we can provide."""


# --- the grammar's words ----------------------------------------------------------------------

# (English singular, English plural, French singular, French plural, gender)
NOUNS = [
    ("cat", "cats", "chat", "chats", "m"),
    ("dog", "dogs", "chien", "chiens", "m"),
    ("horse", "horses", "cheval", "chevaux", "m"),
    ("bird", "birds", "oiseau", "oiseaux", "m"),
    ("boy", "boys", "garçon", "garçons", "m"),
    ("man", "men", "homme", "hommes", "m"),
    ("friend", "friends", "ami", "amis", "m"),
    ("child", "children", "enfant", "enfants", "m"),
    ("student", "students", "étudiant", "étudiants", "m"),
    ("teacher", "teachers", "professeur", "professeurs", "m"),
    ("doctor", "doctors", "médecin", "médecins", "m"),
    ("farmer", "farmers", "fermier", "fermiers", "m"),
    ("king", "kings", "roi", "rois", "m"),
    ("neighbour", "neighbours", "voisin", "voisins", "m"),
    ("brother", "brothers", "frère", "frères", "m"),
    ("father", "fathers", "père", "pères", "m"),
    ("book", "books", "livre", "livres", "m"),
    ("cake", "cakes", "gâteau", "gâteaux", "m"),
    ("tree", "trees", "arbre", "arbres", "m"),
    ("garden", "gardens", "jardin", "jardins", "m"),
    ("hat", "hats", "chapeau", "chapeaux", "m"),
    ("plane", "planes", "avion", "avions", "m"),
    ("train", "trains", "train", "trains", "m"),
    ("boat", "boats", "bateau", "bateaux", "m"),
    ("phone", "phones", "téléphone", "téléphones", "m"),
    ("computer", "computers", "ordinateur", "ordinateurs", "m"),
    ("painting", "paintings", "tableau", "tableaux", "m"),
    ("bag", "bags", "sac", "sacs", "m"),
    ("glass", "glasses", "verre", "verres", "m"),
    ("newspaper", "newspapers", "journal", "journaux", "m"),
    ("egg", "eggs", "œuf", "œufs", "m"),
    ("bed", "beds", "lit", "lits", "m"),
    ("bike", "bikes", "vélo", "vélos", "m"),
    ("pen", "pens", "stylo", "stylos", "m"),
    ("cheese", "cheeses", "fromage", "fromages", "m"),
    ("hotel", "hotels", "hôtel", "hôtels", "m"),
    ("apple", "apples", "pomme", "pommes", "f"),
    ("house", "houses", "maison", "maisons", "f"),
    ("car", "cars", "voiture", "voitures", "f"),
    ("table", "tables", "table", "tables", "f"),
    ("chair", "chairs", "chaise", "chaises", "f"),
    ("door", "doors", "porte", "portes", "f"),
    ("window", "windows", "fenêtre", "fenêtres", "f"),
    ("song", "songs", "chanson", "chansons", "f"),
    ("story", "stories", "histoire", "histoires", "f"),
    ("flower", "flowers", "fleur", "fleurs", "f"),
    ("girl", "girls", "fille", "filles", "f"),
    ("woman", "women", "femme", "femmes", "f"),
    ("sister", "sisters", "sœur", "sœurs", "f"),
    ("mother", "mothers", "mère", "mères", "f"),
    ("queen", "queens", "reine", "reines", "f"),
    ("school", "schools", "école", "écoles", "f"),
    ("city", "cities", "ville", "villes", "f"),
    ("street", "streets", "rue", "rues", "f"),
    ("key", "keys", "clé", "clés", "f"),
    ("shirt", "shirts", "chemise", "chemises", "f"),
    ("dress", "dresses", "robe", "robes", "f"),
    ("cup", "cups", "tasse", "tasses", "f"),
    ("bottle", "bottles", "bouteille", "bouteilles", "f"),
    ("ball", "balls", "balle", "balles", "f"),
    ("mouse", "mice", "souris", "souris", "f"),
    ("orange", "oranges", "orange", "oranges", "f"),
    ("lamp", "lamps", "lampe", "lampes", "f"),
    ("river", "rivers", "rivière", "rivières", "f"),
    ("mountain", "mountains", "montagne", "montagnes", "f"),
    ("box", "boxes", "boîte", "boîtes", "f"),
    ("letter", "letters", "lettre", "lettres", "f"),
    ("cow", "cows", "vache", "vaches", "f"),
]

# (English, French m. sg., f. sg., m. pl., f. pl.); a few adjectives go before the noun.
ADJECTIVES_BEFORE = [
    ("big", "grand", "grande", "grands", "grandes"),
    ("small", "petit", "petite", "petits", "petites"),
    ("old", "vieux", "vieille", "vieux", "vieilles"),
    ("young", "jeune", "jeune", "jeunes", "jeunes"),
    ("good", "bon", "bonne", "bons", "bonnes"),
    ("beautiful", "beau", "belle", "beaux", "belles"),
    ("new", "nouveau", "nouvelle", "nouveaux", "nouvelles"),
    ("pretty", "joli", "jolie", "jolis", "jolies"),
    ("bad", "mauvais", "mauvaise", "mauvais", "mauvaises"),
    ("long", "long", "longue", "longs", "longues"),
]
ADJECTIVES_AFTER = [
    ("red", "rouge", "rouge", "rouges", "rouges"),
    ("black", "noir", "noire", "noirs", "noires"),
    ("white", "blanc", "blanche", "blancs", "blanches"),
    ("green", "vert", "verte", "verts", "vertes"),
    ("blue", "bleu", "bleue", "bleus", "bleues"),
    ("grey", "gris", "grise", "gris", "grises"),
    ("happy", "heureux", "heureuse", "heureux", "heureuses"),
    ("sad", "triste", "triste", "tristes", "tristes"),
    ("tired", "fatigué", "fatiguée", "fatigués", "fatiguées"),
    ("rich", "riche", "riche", "riches", "riches"),
    ("strong", "fort", "forte", "forts", "fortes"),
    ("fast", "rapide", "rapide", "rapides", "rapides"),
    ("slow", "lent", "lente", "lents", "lentes"),
    ("clean", "propre", "propre", "propres", "propres"),
    ("dirty", "sale", "sale", "sales", "sales"),
    ("heavy", "lourd", "lourde", "lourds", "lourdes"),
    ("light", "léger", "légère", "légers", "légères"),
    ("hot", "chaud", "chaude", "chauds", "chaudes"),
    ("cold", "froid", "froide", "froids", "froides"),
    ("empty", "vide", "vide", "vides", "vides"),
    ("famous", "célèbre", "célèbre", "célèbres", "célèbres"),
    ("strange", "étrange", "étrange", "étranges", "étranges"),
    ("angry", "fâché", "fâchée", "fâchés", "fâchées"),
    ("kind", "gentil", "gentille", "gentils", "gentilles"),
    ("quiet", "calme", "calme", "calmes", "calmes"),
]
BEFORE_VOWEL_MASCULINE = {"beau": "bel", "vieux": "vieil", "nouveau": "nouvel"}

# English determiner (singular, plural) -> French (m. sg., f. sg., plural)
DETERMINERS = [
    (("the", "the"), ("le", "la", "les")),
    (("a", "some"), ("un", "une", "des")),
    (("my", "my"), ("mon", "ma", "mes")),
    (("your", "your"), ("ton", "ta", "tes")),
    (("his", "his"), ("son", "sa", "ses")),
    (("her", "her"), ("son", "sa", "ses")),
    (("our", "our"), ("notre", "notre", "nos")),
    (("their", "their"), ("leur", "leur", "leurs")),
    (("this", "these"), ("ce", "cette", "ces")),
]
# ma, ta, sa become mon, ton, son before a vowel (mon école); ce becomes cet (cet arbre).
BEFORE_VOWEL_DETERMINER = {"ma": "mon", "ta": "ton", "sa": "son", "ce": "cet"}

# Persons: 0 I, 1 you, 2 he / she / a singular noun, 3 we, 4 they / a plural noun.
SUBJECT_PRONOUNS = [("i", "je", 0), ("you", "tu", 1), ("he", "il", 2), ("she", "elle", 2)]
SUBJECT_PRONOUNS += [("we", "nous", 3), ("they", "ils", 4)]
OBJECT_PRONOUNS = [("me", "me"), ("you", "te"), ("him", "le"), ("her", "la"), ("us", "nous"), ("them", "les")]
BE_ENGLISH = ("am", "are", "is", "are", "are")
BE_FRENCH = ("suis", "es", "est", "sommes", "sont")


def _regular_er(stem: str, nous: str = "") -> tuple[str, ...]:
    return (stem + "e", stem + "es", stem + "e", nous or stem + "ons", stem + "ent")


# (English base, English 3rd person singular, French forms for the five persons)
TRANSITIVE_VERBS = [
    ("like", "likes", _regular_er("aim")),
    ("watch", "watches", _regular_er("regard")),
    ("eat", "eats", _regular_er("mang", "mangeons")),
    ("look for", "looks for", _regular_er("cherch")),
    ("find", "finds", _regular_er("trouv")),
    ("carry", "carries", _regular_er("port")),
    ("wash", "washes", _regular_er("lav")),
    ("buy", "buys", ("achète", "achètes", "achète", "achetons", "achètent")),
    ("draw", "draws", _regular_er("dessin")),
    ("listen to", "listens to", _regular_er("écout")),
    ("visit", "visits", _regular_er("visit")),
    ("keep", "keeps", _regular_er("gard")),
    ("forget", "forgets", _regular_er("oubli")),
    ("call", "calls", ("appelle", "appelles", "appelle", "appelons", "appellent")),
    ("touch", "touches", _regular_er("touch")),
    ("break", "breaks", _regular_er("cass")),
    ("repair", "repairs", _regular_er("répar")),
    ("love", "loves", _regular_er("ador")),
    ("see", "sees", ("vois", "vois", "voit", "voyons", "voient")),
    ("take", "takes", ("prends", "prends", "prend", "prenons", "prennent")),
    ("read", "reads", ("lis", "lis", "lit", "lisons", "lisent")),
    ("write", "writes", ("écris", "écris", "écrit", "écrivons", "écrivent")),
    ("sell", "sells", ("vends", "vends", "vend", "vendons", "vendent")),
    ("wait for", "waits for", ("attends", "attends", "attend", "attendons", "attendent")),
    ("know", "knows", ("connais", "connais", "connaît", "connaissons", "connaissent")),
    ("want", "wants", ("veux", "veux", "veut", "voulons", "veulent")),
    ("have", "has", ("ai", "as", "a", "avons", "ont")),
]
INTRANSITIVE_VERBS = [
    ("sleep", "sleeps", ("dors", "dors", "dort", "dormons", "dorment")),
    ("run", "runs", ("cours", "cours", "court", "courons", "courent")),
    ("sing", "sings", _regular_er("chant")),
    ("dance", "dances", _regular_er("dans")),
    ("work", "works", _regular_er("travaill")),
    ("walk", "walks", _regular_er("march")),
    ("laugh", "laughs", ("ris", "ris", "rit", "rions", "rient")),
    ("swim", "swims", _regular_er("nag", "nageons")),
    ("play", "plays", _regular_er("jou")),
    ("cook", "cooks", _regular_er("cuisin")),
    ("wait", "waits", ("attends", "attends", "attend", "attendons", "attendent")),
    ("arrive", "arrives", _regular_er("arriv")),
]
# English preposition -> French; "de" prepositions contract with le / les (près du jardin).
PREPOSITIONS = [
    ("in", "dans"),
    ("with", "avec"),
    ("near", "près de"),
    ("behind", "derrière"),
    ("under", "sous"),
    ("on", "sur"),
    ("without", "sans"),
    ("for", "pour"),
    ("in front of", "devant"),
    ("far from", "loin de"),
]
CONJUNCTIONS = [("and", "et"), ("but", "mais")]
MIN_WORDS, MAX_WORDS = 3, 15  # English words per sentence
VOWELS = tuple("aeiouyéèêâîôûœh")  # French words starting with a mute h elide too (l'homme)


# --- generating sentences ------------------------------------------------------------------


@dataclass
class _Phrase:
    english: list[str]
    french: list[str]
    person: int = 2
    gender: str = "m"


def _starts_with_vowel(word: str) -> bool:
    return word.startswith(VOWELS)


def _noun_phrase(rng: random.Random, allow_possessive: bool = True) -> _Phrase:
    en_sg, en_pl, fr_sg, fr_pl, gender = rng.choice(NOUNS)
    plural = rng.random() < 0.3
    (det_en_sg, det_en_pl), det_fr = rng.choice(DETERMINERS)
    english_noun, french_noun = (en_pl, fr_pl) if plural else (en_sg, fr_sg)
    adjective_en, before, after = [], [], []
    if rng.random() < 0.45:
        use_before = rng.random() < 0.35
        word, ms, fs, mp, fp = rng.choice(ADJECTIVES_BEFORE if use_before else ADJECTIVES_AFTER)
        form = {("m", False): ms, ("f", False): fs, ("m", True): mp, ("f", True): fp}[(gender, plural)]
        if use_before and not plural and gender == "m" and _starts_with_vowel(french_noun):
            form = BEFORE_VOWEL_MASCULINE.get(form, form)
        adjective_en = [word]
        (before if use_before else after).append(form)
    determiner = det_fr[2] if plural else det_fr[0 if gender == "m" else 1]
    if determiner == "des" and before:
        determiner = "de"  # des before an adjective becomes de: de grands arbres
    first = (before or [french_noun])[0]
    if not plural and _starts_with_vowel(first):
        determiner = BEFORE_VOWEL_DETERMINER.get(determiner, determiner)
    english_det = det_en_pl if plural else det_en_sg
    if english_det == "a" and (adjective_en or [english_noun])[0][0] in "aeiou":
        english_det = "an"
    english = [english_det, *adjective_en, english_noun]
    french = [determiner, *before, french_noun, *after]
    if allow_possessive and det_en_sg == "the" and rng.random() < 0.12:
        # "the boy's dog": the owner comes first in English, after "de" in French.
        owner = _noun_phrase(rng, allow_possessive=False)
        plural_s = owner.person == 4 and owner.english[-1].endswith("s")
        english = [*owner.english, "'" if plural_s else "'s", *english[1:]]
        french = french + _with_de(owner.french)
    return _Phrase(english, french, 4 if plural else 2, gender)


def _with_de(french: list[str]) -> list[str]:
    """de + a noun phrase, contracted: de le -> du, de les -> des."""
    head = french[0]
    if head == "le":
        return ["du", *french[1:]]
    if head == "les":
        return ["des", *french[1:]]
    if head == "des":  # près des arbres is "near the trees"; "near some trees" is près d'arbres
        return ["de", *french[1:]]
    return ["de", *french]


def _subject(rng: random.Random) -> _Phrase:
    if rng.random() < 0.3:
        english, french, person = rng.choice(SUBJECT_PRONOUNS)
        return _Phrase([english], [french], person, "f" if french == "elle" else "m")
    return _noun_phrase(rng)


def _verb(forms: tuple[str, str, tuple[str, ...]], person: int, negative: bool) -> tuple[list[str], str]:
    """The English verb group (with "do not" when negative) and the French conjugated verb."""
    base, third, french = forms
    if negative:
        english = ["does" if person == 2 else "do", "not", *base.split()]
    else:
        english = (third if person == 2 else base).split()
    return english, french[person]


def _clause(rng: random.Random) -> list[tuple[list[str], list[str]]]:
    subject = _subject(rng)
    negative = rng.random() < 0.2
    kind = rng.random()
    english, french = list(subject.english), list(subject.french)
    if kind < 0.15:  # "the house is big" -> "la maison est grande"
        word, ms, fs, mp, fp = rng.choice(ADJECTIVES_AFTER + ADJECTIVES_BEFORE)
        plural = subject.person in (3, 4)
        form = {("m", False): ms, ("f", False): fs, ("m", True): mp, ("f", True): fp}[
            (subject.gender, plural)
        ]
        english += [BE_ENGLISH[subject.person], *(["not"] if negative else []), word]
        french += (
            ["ne", BE_FRENCH[subject.person], "pas", form] if negative else [BE_FRENCH[subject.person], form]
        )
    elif kind < 0.35:  # intransitive
        verb_en, verb_fr = _verb(rng.choice(INTRANSITIVE_VERBS), subject.person, negative)
        english += verb_en
        french += ["ne", verb_fr, "pas"] if negative else [verb_fr]
    elif kind < 0.55:  # object pronoun: before the verb in French
        verb_en, verb_fr = _verb(rng.choice(TRANSITIVE_VERBS), subject.person, negative)
        pronoun_en, pronoun_fr = rng.choice(OBJECT_PRONOUNS)
        english += [*verb_en, pronoun_en]
        french += ["ne", pronoun_fr, verb_fr, "pas"] if negative else [pronoun_fr, verb_fr]
    else:  # transitive with a noun phrase
        verb_en, verb_fr = _verb(rng.choice(TRANSITIVE_VERBS), subject.person, negative)
        obj = _noun_phrase(rng)
        # "have not" takes "de" instead of "un/une/des" in French: je n'ai pas de chat.
        obj_fr = obj.french
        if negative and obj_fr[0] in ("un", "une", "des"):
            obj_fr = ["de", *obj_fr[1:]]
        english += [*verb_en, *obj.english]
        french += ["ne", verb_fr, "pas", *obj_fr] if negative else [verb_fr, *obj_fr]
    if rng.random() < 0.3:
        preposition_en, preposition_fr = rng.choice(PREPOSITIONS)
        place = _noun_phrase(rng, allow_possessive=False)
        english += [*preposition_en.split(), *place.english]
        words = preposition_fr.split()
        if words[-1] == "de":
            french += [*words[:-1], *_with_de(place.french)]
        else:
            french += [*words, *place.french]
    return [(english, french)]


def _elide(words: list[str]) -> list[str]:
    """French elision: le, la, je, me, te, ne, de before a vowel lose their vowel (l'arbre)."""
    out: list[str] = []
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if word in ("le", "la", "je", "me", "te", "ne", "de") and _starts_with_vowel(following):
            word = word[0] + "'"
        out.append(word)
    return out


def _join_english(words: list[str]) -> str:
    return " ".join(words).replace(" 's ", "'s ").replace(" ' ", "' ") + "."


def _join_french(words: list[str]) -> str:
    return " ".join(words).replace("' ", "'") + "."


def generate_pair(rng: random.Random) -> tuple[str, str]:
    """One (English, French) sentence pair of 3 to 15 words: a clause, sometimes two joined by
    and / but."""
    while True:
        (english, french), *_ = _clause(rng)
        if rng.random() < 0.25:
            conjunction_en, conjunction_fr = rng.choice(CONJUNCTIONS)
            (english2, french2), *_ = _clause(rng)
            english, french = [*english, conjunction_en, *english2], [*french, conjunction_fr, *french2]
        if MIN_WORDS <= len(english) <= MAX_WORDS:
            return _join_english(english), _join_french(_elide(french))


def generate_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """`n` pairs with distinct English sentences, the same ones for the same seed."""
    if n < 0:
        raise CorpusError(f"cannot generate {n} pairs")
    rng = random.Random(seed)
    pairs: dict[str, str] = {}
    attempts = 0
    while len(pairs) < n:
        english, french = generate_pair(rng)
        pairs.setdefault(english, french)
        attempts += 1
        if attempts > 20 * n + 1000:
            raise CorpusError(f"the grammar cannot make {n} distinct sentences")
    return list(pairs.items())


def is_heldout(english: str) -> bool:
    """Whether an English sentence belongs to the fixed held-out split (a 10% hash bucket)."""
    digest = hashlib.sha256(english.strip().lower().encode()).digest()
    return int.from_bytes(digest[:4], "big") < HELDOUT_SHARE * 2**32


def _split_generated(size: int, seed: int) -> tuple[list, list]:
    """`size` training pairs from the 90% side and the fixed held-out pairs from the 10% side."""
    rng = random.Random(seed)
    train: dict[str, str] = {}
    while len(train) < size:
        english, french = generate_pair(rng)
        if not is_heldout(english):
            train.setdefault(english, french)
    rng = random.Random(HELDOUT_SEED)
    heldout: dict[str, str] = {}
    while len(heldout) < HELDOUT_SIZE:
        english, french = generate_pair(rng)
        if is_heldout(english):
            heldout.setdefault(english, french)
    return list(train.items()), list(heldout.items())


# --- corpora -------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Training and held-out (source, target) pairs and a line saying where they come from."""

    name: str
    train: list[tuple[str, str]]
    heldout: list[tuple[str, str]]
    description: str
    source_language: str = "English"
    target_language: str = "French"
    notes: list[str] = field(default_factory=list)
    # Every correct translation of a held-out source (Tatoeba has several for many sentences);
    # a source missing here has one, its pair's.
    references: dict[str, list[str]] = field(default_factory=dict)

    def references_of(self, source: str, first: str | None = None) -> list[str]:
        """All known translations of a held-out source sentence."""
        return self.references.get(source) or ([first] if first is not None else [])

    def scored(self, pairs: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
        """(source, every reference) for held-out pairs: what BLEU is computed against."""
        return [(source, self.references_of(source, target)) for source, target in pairs]

    def longer_than(self, words: int) -> list[tuple[str, str]]:
        """Held-out pairs whose source sentence has more than `words` words (punctuation aside)."""
        return [pair for pair in self.heldout if _word_count(pair[0]) > words]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "train_size": len(self.train),
            "heldout_size": len(self.heldout),
            "languages": [self.source_language, self.target_language],
        }


def _word_count(sentence: str) -> int:
    return sum(1 for token in sentence.replace("'", " ").split() if any(c.isalnum() for c in token))


def load_corpus(
    name: str = "generated", size: int = 20_000, data_dir: str | None = None, seed: int = 0
) -> Corpus:
    """The named corpus with `size` training pairs (fewer for Tatoeba if it has fewer).

    Tatoeba is read from the file shipped in the repository, or from `data_dir` (or
    `$DLL_DATA_DIR`) when that holds `tatoeba-eng-fra.tsv.gz` or `eng-fra.txt`. Generated pairs
    and the order of Tatoeba's training pairs depend on `seed`; the held-out split never does.
    """
    if name not in CORPORA:
        raise CorpusError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    if not 1 <= int(size) <= 200_000:
        raise CorpusError(f"corpus size must be between 1 and 200,000 pairs, got {size}")
    return _load_corpus_cached(name, int(size), data_dir or os.environ.get("DLL_DATA_DIR"), seed)


@lru_cache(maxsize=6)
def _load_corpus_cached(name: str, size: int, data_dir: str | None, seed: int) -> Corpus:
    if name == "tatoeba":
        try:
            return _tatoeba(size, data_dir, seed)
        except (OSError, ValueError, EOFError) as error:
            fallback = _generated(size, seed)
            fallback.description += f" (fallback: the Tatoeba pairs are unavailable: {error})"
            return fallback
    return _generated(size, seed)


def _generated(size: int, seed: int) -> Corpus:
    train, heldout = _split_generated(size, seed)
    description = (
        f"generated English→French grammar, {len(train):,} training / {len(heldout):,} held-out "
        f"pairs (seed {seed}; held-out sentences never trained on)"
    )
    return Corpus("generated", train, heldout, description)


def _tatoeba(size: int, data_dir: str | None, seed: int) -> Corpus:
    translations = tatoeba_translations(data_dir)
    heldout_sources = [english for english in translations if is_heldout(english)]
    random.Random(HELDOUT_SEED).shuffle(heldout_sources)
    heldout_sources = heldout_sources[:TATOEBA_HELDOUT_SIZE]
    # Every translation of every training sentence is a pair to learn from.
    train = [(e, f) for e, frenches in translations.items() if not is_heldout(e) for f in frenches]
    random.Random(seed).shuffle(train)
    train = train[:size]
    heldout = [(english, translations[english][0]) for english in heldout_sources]
    references = {english: translations[english] for english in heldout_sources}
    several = sum(len(refs) > 1 for refs in references.values())
    description = (
        f"Tatoeba English→French pairs (real short sentences; {TATOEBA_CREDIT}), {len(train):,} "
        f"training pairs / {len(heldout):,} held-out English sentences ({several:,} with several "
        "reference translations; split by English sentence, never trained on)"
    )
    return Corpus("tatoeba", train, heldout, description, references=references)


@lru_cache(maxsize=2)
def tatoeba_translations(data_dir: str | None = None) -> dict[str, list[str]]:
    """Each English sentence of the Tatoeba file and its French translations, in file order
    (pairs longer than TATOEBA_MAX_WORDS words a side, or with an empty side, are skipped)."""
    translations: dict[str, list[str]] = {}
    for line in _tatoeba_lines(data_dir):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        english, french = parts[0].strip(), parts[1].strip()
        if 0 < _word_count(english) <= TATOEBA_MAX_WORDS and 0 < _word_count(french) <= TATOEBA_MAX_WORDS:
            frenches = translations.setdefault(english, [])
            if french not in frenches:
                frenches.append(french)
    if not translations:
        raise ValueError("the Tatoeba file holds no usable pairs")
    return translations


def _tatoeba_lines(data_dir: str | None) -> list[str]:
    """Lines of the Tatoeba file: from `data_dir` if it holds one, else the one shipped in the
    repository."""
    folder = Path(data_dir) if data_dir else None
    for path in [
        *([folder / TATOEBA_FILE.name, folder / "eng-fra.txt"] if folder else []),
        TATOEBA_FILE,
    ]:
        if path.is_file():
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as file:
                return file.read().splitlines()
    raise OSError(f"{TATOEBA_FILE.name} is missing from {TATOEBA_FILE.parent}")
