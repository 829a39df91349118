"""Word vectors that need no download and no training: character n-gram hashing.

Each word is wrapped in boundary marks ("cat" -> "<cat>") and cut into its character 3-grams
("<ca", "cat", "at>") plus the whole marked word. Every piece is hashed (BLAKE2b, so the same
piece gives the same vector on every machine and in every process) into the seed of a random
Gaussian vector; a word's vector is the sum of its pieces' vectors, rescaled to length
sqrt(dim), so each coordinate is about N(0, 1).

Words that share spelling share pieces and so point the same way ("cat" and "cats" have a
cosine near 0.5), unrelated words are nearly orthogonal, and any script or emoji gets a vector:
there is no vocabulary, hence no unknown word. The vectors know spelling, not meaning ("dog"
and "puppy" are unrelated): enough to see what attention does with similar and different keys.

Sinusoidal positions (Vaswani et al., 2017) can be added: coordinate 2i of position p is
sin(p / 10000^(2i/dim)), coordinate 2i+1 its cosine.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

NGRAM = 3


def pieces(word: str) -> list[str]:
    """The marked word and its character 3-grams: "cat" -> ["<cat>", "<ca", "cat", "at>"]."""
    marked = f"<{word}>"
    grams = [marked[i : i + NGRAM] for i in range(len(marked) - NGRAM + 1)]
    return [marked, *(gram for gram in grams if gram != marked)]


@functools.lru_cache(maxsize=65536)
def _piece_vector(piece: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(piece.encode("utf-8"), digest_size=8).digest(), "little")
    vector = np.random.default_rng(seed).standard_normal(dim)
    vector.setflags(write=False)  # shared through the cache
    return vector


def word_vector(word: str, dim: int) -> np.ndarray:
    """The word's vector, float64 of length `dim` and norm sqrt(dim)."""
    total = np.sum([_piece_vector(piece, dim) for piece in pieces(word)], axis=0)
    return total * (np.sqrt(dim) / max(np.linalg.norm(total), 1e-12))


def sinusoidal_positions(count: int, dim: int) -> np.ndarray:
    """(count, dim) position codes: sines on even coordinates, cosines on odd ones."""
    positions = np.arange(count)[:, None]
    frequencies = 1.0 / 10000 ** (np.arange(0, dim, 2) / dim)
    codes = np.zeros((count, dim))
    codes[:, 0::2] = np.sin(positions * frequencies)
    codes[:, 1::2] = np.cos(positions * frequencies[: dim // 2])
    return codes


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))
