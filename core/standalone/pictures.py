"""Grey pictures in and out with nothing but PyTorch and the standard library: 8-bit PNG and
binary PGM read, 8-bit grey PNG written. An export ships this file beside predict.py, for the
labs whose models read or draw pictures, so that predict.py needs no imaging library."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_picture(path: str | Path) -> torch.Tensor:
    """A PNG or PGM file as a (H, W) tensor of grey levels in [0, 1]."""
    data = Path(path).read_bytes()
    return read_png(data) if data[:8] == PNG_SIGNATURE else read_pgm(data)


def read_png(data: bytes) -> torch.Tensor:
    """An 8-bit, non-interlaced PNG as a (H, W) tensor of grey levels in [0, 1]."""
    pixels = png_pixels(data)
    channels = pixels.shape[-1]
    colour = pixels[..., :3] if channels >= 3 else pixels[..., :1]
    grey = colour.mean(-1) / 255
    if channels in (2, 4):  # transparent parts are paper
        alpha = pixels[..., -1] / 255
        grey = grey * alpha + (1 - alpha) * (1.0 if grey.mean() > 0.5 else 0.0)
    return grey


def png_pixels(data: bytes) -> torch.Tensor:
    """An 8-bit, non-interlaced PNG's pixels as a (H, W, channels) tensor of levels 0 to 255:
    one channel for grey, two for grey and alpha, three for RGB, four for RGBA."""
    chunks, position = {}, 8
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                raise ValueError("only 8-bit, non-interlaced PNGs are read here")
            channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
            if channels is None:
                raise ValueError("palette PNGs are not read here: save the picture as grey or RGB")
        chunks.setdefault(kind, b"")
        chunks[kind] += body
        position += 12 + length
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):  # undo the PNG row filter
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                nearest = min(
                    (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
                )
                line[x] = (line[x] + nearest[2]) & 255
        rows.append(line)
        previous = line
    return torch.tensor([list(row) for row in rows], dtype=torch.float32).view(height, width, channels)


def read_pgm(data: bytes) -> torch.Tensor:
    """A binary (P5) 8-bit PGM as a (H, W) tensor in [0, 1]."""
    fields = data.split(maxsplit=4)
    if fields[0] != b"P5" or int(fields[3]) > 255:
        raise ValueError("only 8-bit PNG or binary PGM (P5) pictures are read here")
    width, height = int(fields[1]), int(fields[2])
    return torch.tensor(list(fields[4][: width * height]), dtype=torch.float32).view(height, width) / 255


def mnist_frame(grey: torch.Tensor) -> torch.Tensor:
    """A picture as MNIST digits look: white ink on black, the ink's box scaled to fit 20x20 and
    centred in 28x28."""
    if grey.mean() > 0.5:  # dark ink on light paper
        grey = 1 - grey
    ink = (grey > 0.2).nonzero()
    if len(ink) == 0:
        raise ValueError("no ink found in the picture")
    (top, left), (bottom, right) = ink.min(0).values, ink.max(0).values
    digit = grey[top : bottom + 1, left : right + 1]
    scale = 20 / max(digit.shape)
    size = (max(1, round(digit.shape[0] * scale)), max(1, round(digit.shape[1] * scale)))
    digit = F.interpolate(digit[None, None], size=size, mode="area")[0, 0]
    frame = torch.zeros(28, 28)
    y, x = (28 - size[0]) // 2, (28 - size[1]) // 2
    frame[y : y + size[0], x : x + size[1]] = digit
    return frame.clamp(0, 1)


def write_png(grey: torch.Tensor, path: str | Path) -> None:
    """A (H, W) tensor of grey levels in [0, 1] as an 8-bit grey PNG (rows unfiltered)."""
    height, width = grey.shape
    levels = (grey.clamp(0, 1) * 255).round().to(torch.uint8).tolist()
    raw = b"".join(b"\x00" + bytes(row) for row in levels)  # filter type 0 on every row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey, not interlaced
    png = PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    Path(path).write_bytes(png)


def grid(pictures: torch.Tensor, columns: int, gap: int = 2) -> torch.Tensor:
    """(N, H, W) pictures tiled row by row into one (rows, columns) sheet, a black gap between."""
    count, height, width = pictures.shape
    rows = -(-count // columns)
    sheet = torch.zeros(rows * (height + gap) - gap, columns * (width + gap) - gap)
    for i, picture in enumerate(pictures):
        y, x = (i // columns) * (height + gap), (i % columns) * (width + gap)
        sheet[y : y + height, x : x + width] = picture
    return sheet


def frame_of(grey: torch.Tensor) -> torch.Tensor:
    """The 28x28 frame a classifier reads: a 28x28 picture is taken as an MNIST frame already
    (white on black; dark ink on light paper is turned round), as the app's framing leaves one;
    any other size is framed as MNIST's digits are (`mnist_frame`)."""
    if grey.shape != (28, 28):
        return mnist_frame(grey)
    return 1 - grey if grey.mean() > 0.5 else grey


def say_classes(path: str, probabilities: dict[str, torch.Tensor], classes: list[str]) -> str:
    """One line for one picture: each model's class and its probability, models in order."""
    said = "; ".join(
        f"{name}: {classes[int(p.argmax())]} ({float(p.max()):.4f})" for name, p in probabilities.items()
    )
    return f"{path}: {said}"


@torch.no_grad()
def classify(paths: list[str], models: dict[str, torch.nn.Module], classes: list[str]) -> None:
    """Each picture through each classifier (evaluation mode): one line per picture, each
    model's class and its probability (`say_classes`)."""
    for model in models.values():
        model.eval()
    for path in paths:
        frame = frame_of(read_picture(path))[None]
        print(
            say_classes(path, {name: model(frame).softmax(-1)[0] for name, model in models.items()}, classes)
        )


# --- colour pictures (the photo and emoji labs) ------------------------------------------------


def read_colour(path: str | Path) -> torch.Tensor:
    """A PNG or PGM file as a (H, W, 3) tensor of RGB levels in [0, 1]; grey is copied to the
    three colours, and a transparent background becomes white (as the app reads an upload)."""
    data = Path(path).read_bytes()
    if data[:8] != PNG_SIGNATURE:
        return read_pgm(data)[..., None].expand(-1, -1, 3).clone()
    pixels = png_pixels(data)
    channels = pixels.shape[-1]
    colour = pixels[..., :3] if channels >= 3 else pixels[..., :1].expand(-1, -1, 3)
    if channels in (2, 4):
        alpha = pixels[..., -1:] / 255
        colour = (colour * alpha + 255 * (1 - alpha)).round()
    return colour / 255


def centre_square(rgb: torch.Tensor, size: int) -> torch.Tensor:
    """A (H, W, 3) picture's centre square, shrunk (or grown) to size x size by averaging: the
    app cuts the same square and resizes it with Lanczos, so only a picture already size x size
    reads exactly as in the app."""
    height, width = rgb.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = rgb[top : top + side, left : left + side]
    if side == size:
        return square
    mode = "area" if side > size else "bilinear"
    return F.interpolate(square.permute(2, 0, 1)[None], size=(size, size), mode=mode)[0].permute(1, 2, 0)


def write_colour_png(rgb: torch.Tensor, path: str | Path) -> None:
    """A (H, W, 3) tensor of RGB levels in [0, 1] as an 8-bit RGB PNG (rows unfiltered)."""
    height, width, _ = rgb.shape
    levels = (rgb.clamp(0, 1) * 255).round().to(torch.uint8).reshape(height, width * 3).tolist()
    raw = b"".join(b"\x00" + bytes(row) for row in levels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    png = PNG_SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw))
    Path(path).write_bytes(png + png_chunk(b"IEND", b""))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def garment_frame(grey: torch.Tensor) -> torch.Tensor:
    """A garment picture as Fashion-MNIST's: (28, 28) in [0, 1], light on dark. A picture on a
    light background (white paper, a shop's white) is turned round; any other size is shrunk."""
    edge = torch.cat([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if edge.mean() > 0.5:
        grey = 1 - grey
    if grey.shape != (28, 28):
        grey = F.interpolate(grey[None, None], size=(28, 28), mode="area")[0, 0]
    return grey


@torch.no_grad()
def classify_frames(
    frames: dict[str, torch.Tensor], models: dict[str, torch.nn.Module], classes: list[str]
) -> None:
    """Each (28, 28) frame, named by its file, through each classifier (evaluation mode): one
    line per picture, each model's class and its probability (`say_classes`)."""
    for model in models.values():
        model.eval()
    for path, frame in frames.items():
        said = {name: model(frame[None]).softmax(-1)[0] for name, model in models.items()}
        print(say_classes(path, said, classes))
