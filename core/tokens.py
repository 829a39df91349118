"""Word-level tokenisation and vocabularies for the translation labs: written in
core.standalone.tokens (standard library only, so that an export ships it), imported from here.
"""

from core.standalone.tokens import (  # noqa: F401  (the translation labs import them from here)
    CHUNK_PATTERN,
    CLITIC,
    ELISION,
    EOS,
    NO_SPACE_BEFORE,
    PAD,
    SOS,
    SPACES,
    SPECIALS,
    UNK,
    TextInputError,
    Vocab,
    cased_tokens,
    detokenize,
    tokenize,
)
