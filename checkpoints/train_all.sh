#!/usr/bin/env bash
# Re-create the bundled checkpoints with the project's own train command.
# Usage: bash checkpoints/train_all.sh [DATA_DIR]   (default ../shared/datasets, MNIST-12k/3.6k)
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-../shared/datasets}
python=${PYTHON:-.venv/bin/python}
"$python" -m core train digits --set architecture=fast-cnn --data-dir "$data_dir" --out checkpoints/digits-fast-cnn
"$python" -m core train digits --set architecture=cnn --data-dir "$data_dir" --out checkpoints/digits-cnn
"$python" -m core train digits --set architecture=mlp --set epochs=30 --data-dir "$data_dir" --out checkpoints/digits-mlp
"$python" -m core train denoise --set noise=mixed --set noise_level=0.7 --set random_level=true --set epochs=15 --data-dir "$data_dir" --out checkpoints/denoise-skip-ae
"$python" -m core train denoise --set architecture=course --set epochs=10 --set learning_rate=0.001 --set schedule=constant --set dark_start=false --data-dir "$data_dir" --out checkpoints/denoise-course
"$python" -m core train vae --data-dir "$data_dir" --out checkpoints/vae-mlp-2d
"$python" -m core train gan --set epochs=40 --data-dir "$data_dir" --out checkpoints/gan-dcgan
