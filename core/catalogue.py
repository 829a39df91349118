"""The catalogue: every lab's spec, ready or planned, grouped by topic.

Specs are data (titles, theory, hyperparameters), so they live here, away from the models:
this module imports no torch, which lets the home page show the whole catalogue in a moment.
A lab's code (core/labs/<id>.py) takes its spec from here and is imported only when the lab is
opened (see core.registry).
"""

from __future__ import annotations

from dataclasses import replace

from core.sentences import DEFAULT_SENTENCES, MAX_SENTENCE_CHARS, MAX_SENTENCES, clean_sentences
from core.specs import SEED, LabSpec, Param, learning_rate_param

VAE_ARCHITECTURES = ("mlp", "conv")

VAE_THEORY = r"""
A **variational autoencoder** learns to squeeze each digit $x$ into a few numbers $z$ and back.
The encoder gives, for each image, a Gaussian over the latent space,
$q_\phi(z \mid x) = \mathcal{N}(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))$; the decoder turns a
latent point into 784 pixel probabilities $\hat x = f_\theta(z)$. Training maximises the
**evidence lower bound** (ELBO) on the log-likelihood of each image:

$$\log p_\theta(x) \;\ge\;
\underbrace{\mathbb{E}_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)\big]}_{-\text{reconstruction}}
\;-\; \underbrace{D_{\mathrm{KL}}\big(q_\phi(z\mid x)\,\|\,\mathcal{N}(0, I)\big)}_{\text{KL}}.$$

The reconstruction term is the binary cross-entropy summed over the 784 pixels,
$-\sum_i x_i \log \hat x_i + (1-x_i)\log(1-\hat x_i)$; the KL term has a closed form,
$\tfrac12 \sum_j (\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1)$, and pulls every code towards the
standard normal prior, which is what makes the latent plane smooth enough to decode any point
of it. To let gradients through the sampling, $z = \mu + \sigma \odot \varepsilon$ with
$\varepsilon \sim \mathcal{N}(0, I)$ (the **reparameterisation trick**).

The loss shown while training is the **negative ELBO in nats per image** (reconstruction + KL;
lower is better), on training batches and on held-out digits the model never saw. With
$\beta \ne 1$ the training minimises reconstruction $+\ \beta\cdot$KL (a $\beta$-VAE: larger
$\beta$, smoother map, blurrier digits), but the figures shown are always the true ELBO.

With a 2-D latent every digit is a point on a plane: the **latent map** colours held-out digits
by their label, and the **manifold** decodes a grid of points, showing how one digit morphs
into another. Notes: MNIST pixels are grey, not black or white, so the reconstruction term
cannot reach 0 and the figures compare models rather than give a true likelihood. The course
notebook normalised pixels to $[-1, 1]$ before a cross-entropy that needs targets in
$[0, 1]$; here pixels stay in $[0, 1]$.
"""

VAE = LabSpec(
    id="vae",
    title="Variational autoencoder",
    topic="Generative models",
    icon="🌀",
    summary="Map digits to a 2-D latent plane, decode any point of it, and walk between digits.",
    theory=VAE_THEORY,
    params=(
        Param(
            "architecture",
            "choice",
            "mlp",
            "mlp: the course's 784-400-200 MLP encoder and its mirror as decoder; "
            "conv: two stride-2 convolutions and their transposes (slower on a CPU).",
            choices=VAE_ARCHITECTURES,
        ),
        Param(
            "latent_dim",
            "int",
            2,
            "Size of the latent code z. 2 draws the latent map directly; more reconstructs better.",
            label="Latent size",
            low=2,
            high=32,
        ),
        Param(
            "dataset",
            "choice",
            "mnist",
            "Handwritten digits, or Fashion-MNIST clothing.",
            choices=("mnist", "fashion-mnist"),
        ),
        Param("epochs", "int", 60, "Passes over the training set.", low=1, high=300),
        Param("batch_size", "int", 128, "Images per optimisation step.", low=8, high=1024),
        learning_rate_param(5e-3, "Peak step size of Adam (the course used 0.001, constant)."),
        Param(
            "schedule",
            "choice",
            "cosine",
            "cosine: short warm-up, then decay to zero by the end (of the epochs, or of a time "
            "or step limit if one comes first); constant: keep it fixed, as the course did.",
            choices=("cosine", "constant"),
        ),
        Param(
            "dropout",
            "float",
            0.2,
            "Share of the encoder's hidden units zeroed while training. On 12,000 digits the "
            "encoder overfits first; the course used none.",
            low=0.0,
            high=0.8,
            step=0.05,
        ),
        Param(
            "mean_init",
            "bool",
            True,
            "Start the decoder at the average training digit (its output bias), so the first "
            "steps learn what tells digits apart rather than where the ink usually is.",
            label="Start from the mean digit",
        ),
        Param(
            "beta",
            "float",
            1.0,
            "Weight of the KL term while training (β-VAE). The ELBO shown always uses 1.",
            label="β (KL weight)",
            low=0.0,
            high=5.0,
            step=0.1,
        ),
        SEED,
    ),
)

DENOISE_ARCHITECTURES = ("skip-ae", "course")

DENOISE_THEORY = r"""
A **denoising autoencoder** is shown a corrupted digit $\tilde x = c(x)$ and trained to output the
clean one: it minimises the mean squared error $\mathcal{L} = \frac{1}{N}\sum_i \frac{1}{784}
\lVert f_\theta(\tilde x_i) - x_i \rVert^2$. The target is the clean image, not the input, so the
network cannot just copy what it sees: it has to learn what digits look like. The encoder's
stride-2 convolutions shrink the image $28 \to 14 \to 7$ pixels a side while adding channels; the
decoder's **transposed convolutions** grow it back, and a sigmoid keeps each pixel in $[0, 1]$.

Noise, each with a level in $[0, 1]$ and drawn afresh for every batch:
**Gaussian** $\tilde x = \operatorname{clip}(x + \sigma\varepsilon, 0, 1)$ with $\varepsilon \sim
\mathcal{N}(0, I)$ (the level is $\sigma$); **salt and pepper**, a share $p$ of the pixels set to
white or black; **masking**, a share $p$ zeroed. The course drew its noise once, when it built the
dataset, so the model saw the same noisy copy of each digit every epoch.

Quality is the **peak signal-to-noise ratio**, $\mathrm{PSNR}(x, y) = 10 \log_{10}
\frac{1}{\mathrm{MSE}(x, y)}$ dB for pixels in $[0, 1]$: +10 dB means a ten times smaller squared
error. It is computed **for each image** and then averaged, for the noisy input and for the
denoised output against the clean held-out digit; the **gain** is the difference. (The course took
the PSNR of each batch's mean error and averaged over batches: a figure that the batch's
worst-restored digits dominate and that changes with the batch size.)

The default **skip-ae** is the course's stride-2 autoencoder made wider (32 and 64 channels) with
one more convolution at 7x7 and a **skip connection** that adds the 14x14 encoder features to the
decoder's, as one level of a U-Net does: the bottleneck carries which digit it is, the skip where
its strokes are. **Dark start**: MNIST is mostly black, so an untrained sigmoid output of 50% grey
is pushed towards black so hard that the sigmoid saturates; the model then outputs a blank
image (about 9.7 dB on MNIST, whatever the noise) and learns almost nothing for hundreds of
steps. Starting the output bias at $-2$ (a dark grey, the average pixel) avoids that plateau.
"""

DENOISE = LabSpec(
    id="denoise",
    title="Denoising autoencoder",
    topic="Generative models",
    icon="🧽",
    summary="Add noise to a digit and watch a conv autoencoder remove it, measured in dB.",
    theory=DENOISE_THEORY,
    params=(
        Param(
            "architecture",
            "choice",
            "skip-ae",
            "skip-ae: 32/64-channel conv autoencoder with a skip connection (default); "
            "course: the course's 1-16-8 conv autoencoder.",
            choices=DENOISE_ARCHITECTURES,
        ),
        Param(
            "dataset",
            "choice",
            "mnist",
            "Handwritten digits, or Fashion-MNIST clothing.",
            choices=("mnist", "fashion-mnist"),
        ),
        Param(
            "noise",
            "choice",
            "gaussian",
            "The corruption to learn to remove; mixed gives each image one of the three at random.",
            choices=("gaussian", "salt-pepper", "mask", "mixed"),
        ),
        Param(
            "noise_level",
            "float",
            0.5,
            "Gaussian: the standard deviation; salt and pepper, masking: the share of pixels hit.",
            low=0.05,
            high=1.0,
            step=0.05,
        ),
        Param(
            "random_level",
            "bool",
            False,
            "Draw each training image's level at random between 0 and the level above, so the "
            "model also learns to leave lightly corrupted digits alone.",
        ),
        Param("epochs", "int", 5, "Passes over the training set.", low=1, high=50),
        Param("batch_size", "int", 128, "Images per optimisation step.", low=8, high=1024),
        learning_rate_param(1e-2, "Peak step size of Adam (the course used 0.001, constant)."),
        Param(
            "schedule",
            "choice",
            "one-cycle",
            "one-cycle: warm up then anneal the learning rate; constant: keep it fixed (the course).",
            choices=("one-cycle", "constant"),
        ),
        Param(
            "dark_start",
            "bool",
            True,
            "Start the output layer dark (bias -2) instead of 50% grey; off, as in the course, the "
            "model can sit for hundreds of steps outputting a blank image.",
        ),
        SEED,
    ),
)

GAN_RECIPES = ("cdcgan", "dcgan", "mlp")

GAN_THEORY = r"""
A **generative adversarial network** is two networks in a game. The generator $G$ turns a random
latent vector $z \sim \mathcal{N}(0, I)$ into an image; the discriminator $D$ looks at an image and
says how likely it is to be real. $D$ is trained to tell real digits $x$ from generated ones,
$G$ to fool it:

$$\min_G \max_D\; \mathbb{E}_{x}\big[\log D(x)\big] + \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big].$$

Each step takes one gradient step for $D$ (binary cross-entropy: real images labelled 1,
generated ones 0), then one for $G$. $G$ uses the **non-saturating** loss $-\log D(G(z))$ rather
than $\log(1 - D(G(z)))$: the same fixed point, but strong gradients early on, when $D$ easily
spots the fakes. Pixels are scaled to $[-1, 1]$ to match the generator's $\tanh$ output.

**Reading the curves.** A GAN's losses do not go down the way a classifier's do: the two players
push against each other. Near balance $D(x)$ and $D(G(z))$ both hover around 0.5 and the D loss
near $2\log 2 \approx 1.39$. Warning signs: a **D loss at 0** for a long time ($D$ has won, and
$G$ gets almost no gradient), and **mode collapse**: $G$ finds a few images that fool $D$ and
produces only those, which shows as a grid of look-alikes and a low class entropy.

**R1 penalty.** Plain GAN training tends to circle around its equilibrium rather than settle:
$D$ overreacts to $G$'s latest fakes, $G$ chases $D$'s latest verdicts. The default adds
$\frac{\gamma}{2}\,\mathbb{E}_x \lVert \nabla_x D(x) \rVert^2$ on real digits to $D$'s loss
(Mescheder et al., 2018): $D$ may not change its verdict steeply around real data, which damps
the circling, and the samples sharpen sooner. It is computed every 4th step with 4 times the
weight, which costs less and works as well (StyleGAN2's "lazy" regularisation).

**Telling G which digit to draw.** The default recipe is *conditional*: besides $z$, $G$ gets a
class vector $c$ (one-hot: "draw a 7"), and $D$ judges the pair, $D(x, c) = w^\top h(x) + b +
e(c)^\top h(x)$, where $h(x)$ are $D$'s features and $e(c)$ a learnt vector per class (a
*projection* discriminator). A real 3 labelled 5 looks fake to such a $D$, so $G$ cannot get away
with a shape halfway between two digits, which is what an unconditional GAN draws for a long
while. Samples still come from a seed: the seed draws $z$ and the digit. Interpolating between a
4 and a 9 then moves $c$ from one to the other too, and the frames morph from digit to digit.

**Quality.** A bundled digit classifier reads a few hundred generated samples: the share it
labels with probability above 0.9 says how recognisable they are (real held-out MNIST: about
96%), and the entropy of its predicted classes, divided by $\log 10$, says how evenly the ten
digits appear (1 = all equally often; collapse drives it down).

**Latent interpolation.** Decoding points between two latents $z_a, z_b$ shows whether the
generator learnt a smooth map. Linear: $z_t = (1-t)\,z_a + t\,z_b$. In 100 dimensions almost all
of $\mathcal{N}(0, I)$'s mass lies near the sphere of radius $\sqrt{100} = 10$, and the midpoint of
a straight line is only about $7$ from the origin, a place $G$ rarely saw; **spherical**
interpolation, $z_t = \frac{\sin((1-t)\Omega)}{\sin\Omega} z_a + \frac{\sin(t\Omega)}{\sin\Omega} z_b$ with
$\cos\Omega = \frac{z_a \cdot z_b}{\lVert z_a\rVert \lVert z_b\rVert}$, stays at a typical radius.
"""

GAN = LabSpec(
    id="gan",
    title="GAN and latent interpolation",
    topic="Generative models",
    icon="🎭",
    summary="Train a GAN on digits live, then walk between two latent points and nudge its dimensions.",
    theory=GAN_THEORY,
    params=(
        Param(
            "recipe",
            "choice",
            "cdcgan",
            "cdcgan (default): a small convolutional GAN told which digit to draw (a class vector "
            "beside z; recognisable digits several times sooner on a CPU); dcgan: the same GAN "
            "without the class; mlp: the course's fully connected GAN (G 100-128-256-512-1024-784, "
            "D 784-512-256-1). For the whole course recipe also set learning rate 0.0002, R1 0 and "
            "weight average 0.",
            choices=GAN_RECIPES,
        ),
        Param(
            "dataset",
            "choice",
            "mnist",
            "Handwritten digits, or Fashion-MNIST clothing (no quality score: the judge reads digits).",
            choices=("mnist", "fashion-mnist"),
        ),
        Param(
            "epochs",
            "int",
            15,
            "Passes over the training set (15: about a minute on a laptop CPU).",
            low=1,
            high=200,
        ),
        Param("batch_size", "int", 64, "Real (and generated) images per step.", low=8, high=512),
        learning_rate_param(
            2e-3,
            "Adam's step size for both networks, betas (0.5, 0.999). The course used 0.0002.",
        ),
        Param(
            "r1_penalty",
            "float",
            0.3,
            "Weight γ of the R1 penalty, γ/2·E|∇D(x)|² on real digits: it keeps D smooth around "
            "them, which damps the players' see-saw. 0 is the course's plain GAN.",
            label="R1 penalty",
            low=0.0,
            high=10.0,
            step=0.1,
        ),
        Param(
            "average",
            "float",
            0.995,
            "Samples come from a running average of G's weights, each step moving it this "
            "close to where it was (0.995: about the last 200 steps); it irons out the see-saw. "
            "0: samples from G itself, as the course did.",
            label="Weight average (EMA) of G",
            low=0.0,
            high=0.999,
            step=0.001,
        ),
        Param(
            "latent_dim",
            "int",
            100,
            "Size of the random vector z the generator starts from (the course's: 100).",
            label="Latent size",
            low=2,
            high=256,
        ),
        SEED,
    ),
)

ROW_MODELS = ("rnn", "lstm", "gru", "birnn", "bilstm")

MNIST_ROWS_THEORY = r"""
Read a digit the way a recurrent network reads a sentence: one row at a time. The image becomes
28 time steps $x_1, \dots, x_{28}$, each a row of 28 pixels, and a hidden state $h_t$ carries
what was seen so far. A plain **RNN** updates it as $h_t = \tanh(W x_t + U h_{t-1} + b)$; the
classifier reads the last state, $z = V h_{28}$, with the cross-entropy loss.

Backpropagating through 28 steps multiplies 28 Jacobians $\partial h_t / \partial h_{t-1}$
together, so gradients from the early rows shrink (or blow up) geometrically: the plain RNN
struggles to use the top of the digit. The **LSTM** keeps a separate cell state updated
additively, $c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$, with gates
$f_t, i_t, o_t = \sigma(\cdot)$ that learn what to keep, write and show ($h_t = o_t \odot
\tanh c_t$); the **GRU** does the same with two gates and no separate cell. A
**bidirectional** reader runs a second network from the bottom row up and concatenates both
final states, $[\overrightarrow{h}_{28}; \overleftarrow{h}_{1}]$, so no row is far from the
classifier. Optional extras: a **normalisation** layer on that final state (layer norm
rescales each example, batch norm each unit over the batch) and an **extra fully connected
layer** (with a ReLU) before the ten logits. Gradient clipping caps each step's length,
$g \leftarrow g \cdot \min(1, c / \lVert g \rVert)$, the standard cure for exploding gradients.

All selected models train **side by side**: each takes its step on the same batch before the next
batch comes, so the curves compare like with like. Course figures (full MNIST, GPU, 10 epochs):
RNN 92.4%, LSTM 97.3%, bidirectional RNN 96.4%, bidirectional LSTM 97.3%. The course's
bidirectional LSTM read the last output, where the backward direction has seen one row only;
here each direction's final state is read.
"""

MNIST_ROWS = LabSpec(
    id="mnist-rows",
    title="MNIST row by row: the RNN family",
    topic="Sequence models",
    icon="📜",
    summary="Read a digit one row at a time with RNN, LSTM and GRU; train several side by side.",
    theory=MNIST_ROWS_THEORY,
    params=(
        Param(
            "models",
            "multichoice",
            ("rnn", "lstm", "bilstm"),
            "Which readers to train side by side, each on the same batches: rnn, lstm, gru, "
            "birnn (bidirectional RNN), bilstm (bidirectional LSTM).",
            choices=ROW_MODELS,
        ),
        Param("hidden_size", "int", 128, "Units in each direction's hidden state.", low=16, high=512),
        Param(
            "normalization",
            "choice",
            "layer",
            "Normalise the final hidden state before the classifier: layer norm, batch norm, or none "
            "(the course's plain models).",
            choices=("layer", "batch", "none"),
        ),
        Param(
            "extra_fc",
            "bool",
            False,
            "An extra fully connected layer (half the width, ReLU) before the ten logits.",
            label="Extra FC layer",
        ),
        Param("epochs", "int", 8, "Passes over the training set (the course made 10).", low=1, high=50),
        Param(
            "batch_size", "int", 128, "Images per optimisation step (the course used 512).", low=16, high=1024
        ),
        learning_rate_param(3e-3, "Peak step size of Adam (the course used 0.001, constant)."),
        Param(
            "schedule",
            "choice",
            "one-cycle",
            "one-cycle: warm up then anneal the learning rate; constant: keep it fixed (the course).",
            choices=("one-cycle", "constant"),
        ),
        Param(
            "clip",
            "float",
            1.0,
            "Largest gradient norm allowed per step (0: no clipping, as in the course).",
            label="Gradient clipping",
            low=0.0,
            high=10.0,
            step=0.1,
        ),
        SEED,
    ),
)

CHARLSTM_THEORY = r"""
A **character-level language model** predicts the next character from the ones before it:
$p(c_1 \dots c_T) = \prod_t p(c_t \mid c_{<t})$. Each character is an index into the vocabulary
(every character of the sentences, plus three special tokens: padding, **start** and **end**);
an embedding turns it into a vector, an **LSTM** carries a hidden state along the sentence and a
linear layer gives the scores $z_t$ of every possible next character. Training minimises the
cross-entropy $-\sum_t \log p(c_t \mid c_{<t})$ with **teacher forcing**: the input is
`<start>` followed by the sentence, the target the sentence followed by `<end>`.

**Generation** feeds the model's own output back in, one character at a time, until it emits
`<end>`. *Greedy* decoding takes the most likely character; *temperature* sampling draws from
$\operatorname{softmax}(z / T)$: $T < 1$ sharpens the distribution, $T > 1$ flattens it.
A prompt is typed after the start token, and the model continues it.

**Memorisation rate**: the share of sentences generated from the start token (temperature 0.5,
fixed seeds) that are exactly one of the training sentences. The course generated from arbitrary
first characters (sample $i$ started with vocabulary entry $i$), most of which begin no training
sentence, so it could never exceed about one in five: it reported 25%. Starting where every
sentence starts, at `<start>`, the model reaches over 90%.
"""

CHARLSTM = LabSpec(
    id="charlstm",
    title="Character-level text model",
    topic="Sequence models",
    icon="🔤",
    summary="Memorise sentences character by character and generate from a prompt.",
    theory=CHARLSTM_THEORY,
    params=(
        Param(
            "sentences",
            "text",
            DEFAULT_SENTENCES,
            f"The sentences to memorise, one per line (at most {MAX_SENTENCES}, each up to "
            f"{MAX_SENTENCE_CHARS} characters; repeats count once).",
            check=clean_sentences,
        ),
        Param("hidden_size", "int", 128, "Units in each LSTM layer's hidden state.", low=16, high=512),
        Param("layers", "int", 2, "Stacked LSTM layers (the course used 3 of 256 units).", low=1, high=3),
        Param(
            "epochs",
            "int",
            300,
            "Passes over the sentences; each pass is one step on all of them at once.",
            low=1,
            high=3000,
        ),
        learning_rate_param(1e-2, "Peak step size of Adam (the course used 0.001 with a cosine decay)."),
        Param(
            "schedule",
            "choice",
            "one-cycle",
            "one-cycle: warm up then anneal the learning rate; constant: keep it fixed.",
            choices=("one-cycle", "constant"),
        ),
        SEED,
    ),
)

ATTENTION_THEORY = r"""
**Scaled dot-product attention.** Each query word $q_i$ scores every key word $k_j$ by a dot
product, the scores become weights by a softmax, and the output is the weighted mean of the values:

$$\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}\,T}\right) V,
\qquad \alpha_{ij} = \frac{e^{s_{ij}}}{\sum_{j'} e^{s_{ij'}}}.$$

Why $\sqrt{d_k}$: if the coordinates are about $\mathcal{N}(0, 1)$, a dot product of two
unrelated $d_k$-vectors has standard deviation $\sqrt{d_k}$, so without the division the scores
grow with the vector size and the softmax turns one-hot (untick *scale* to see it). The
temperature $T$ does the same by hand: small $T$ sharpens, large $T$ flattens towards uniform.
**Masks** set a score to $-\infty$ before the softmax, so its weight is exactly 0: a *causal*
mask lets word $i$ see only words $0..i$ (a decoder must not read the future), a *padding* mask
hides the `<pad>` slots that batching adds (without it they take weight from the real words,
as in the course's code). **Heads** split the $d$ coordinates into $h$ groups of $d_k = d/h$ and
attend in each separately; a trained layer first projects $Q, K, V$ per head, which this
explorer, having nothing trained, leaves out.

**Word vectors without a download.** Each word is cut into character 3-grams ("<ca", "cat",
"at>") plus the whole word; each piece is hashed into a fixed random vector and a word's vector
is their sum (as fastText builds vectors for unseen words). Words that share spelling point the
same way, unrelated words are nearly orthogonal, any script or emoji works and no word is
unknown; but the vectors know spelling, not meaning. Optional **sinusoidal positions**
($\sin(p/10000^{2i/d})$, $\cos(\cdot)$) add where a word stands.

**Against a GRU.** A GRU reads the key sentence one word at a time into a single final state of
$d$ numbers, the same summary for every query word, and leans on the last words read; attention
gives every query word its own mix of all the key words (the course's Lab Work 24 comparison).

**The toy model** is one attention head that must learn, for each output position, which input
position to copy (copy: the diagonal) or to mirror (reverse: the anti-diagonal). Its queries
start at zero, so its weights start uniform ($1/n$); *alignment* is the mean weight on the right
input position, which climbs to 1 as the heatmap sharpens. Its digit strings are drawn afresh
every batch (an epoch here is 100 batches); held-out figures use 1,000 fixed strings.
"""

ATTENTION = LabSpec(
    id="attention",
    title="Attention explorer",
    topic="Attention and translation",
    icon="🔦",
    summary="Type two sentences and read the scaled dot-product attention between them; "
    "then train a tiny attention model and watch its weights sharpen.",
    theory=ATTENTION_THEORY,
    params=(
        Param(
            "task",
            "choice",
            "reverse",
            "What the toy model learns to do with a digit string: reverse it or copy it.",
            choices=("reverse", "copy"),
        ),
        Param("max_length", "int", 8, "Longest digit string (lengths 2 to this).", low=3, high=16),
        Param("epochs", "int", 4, "Rounds of 100 batches of fresh random strings.", low=1, high=50),
        Param("batch_size", "int", 64, "Strings per optimisation step.", low=8, high=512),
        learning_rate_param(3e-3, "Adam's step size. Try 1 to see the loss blow up.", high=10.0),
        Param(
            "dim",
            "int",
            32,
            "Size of the query, key and value vectors.",
            label="Vector size",
            low=8,
            high=128,
        ),
        SEED,
    ),
)

TRANSFORMER_THEORY = r"""
An **encoder-decoder Transformer** translates a source sentence $x_1 \dots x_S$ into a target
$y_1 \dots y_T$ one token at a time, $p(y_t \mid y_{<t}, x)$, with no recurrence: every layer
mixes positions by **attention**,
$$\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^\top}{\sqrt{d_k}} + M\Big) V,$$
where each query row takes a weighted average of the value rows, weighted by how well it matches
each key. **Multi-head** attention runs $h$ of these side by side on slices of width
$d_k = d_{\text{model}} / h$ (so the heads must divide $d_{\text{model}}$), letting one head follow
word order while another finds the noun an adjective agrees with. Attention ignores order, so
**sinusoidal positions** $PE_{p,2i} = \sin(p / 10000^{2i/d})$, $PE_{p,2i+1} = \cos(\cdot)$ are
added to the word embeddings.

The **encoder** (self-attention + feed-forward, $N$ layers) reads the whole source; the
**decoder** attends to its own earlier outputs through a **causal mask** ($M = -\infty$ above the
diagonal: position $t$ may not peek at $t+1$), then to the encoder's output through
**cross-attention**: row $t$ of a cross-attention map says which source words the model looked at
to write target word $t$. **Padding masks** hide the `<pad>` filler of shorter sentences in a batch.
Each sub-layer is wrapped as $x + \operatorname{Sublayer}(\operatorname{LayerNorm}(x))$
(pre-norm, which trains stably with larger steps than the original post-norm).

Training is **teacher forcing**: the decoder is fed the true previous words and minimises the
cross-entropy of the next one, with **label smoothing** (10% of the target probability spread
over the vocabulary) and a learning rate that **warms up** linearly, then decays. At inference
the model feeds its own outputs back: **greedy** search takes the likeliest word each step;
**beam search** keeps the $k$ best partial translations (scores divided by length$^{0.6}$, else
short outputs win).

**BLEU** (sacreBLEU, 0-100) compares the model's n-grams (1 to 4 words) with the reference's over
the whole held-out set, times a penalty for translations that are too short. It is measured on
**held-out** sentences that never appear in training; the course computed it on its 5 training
pairs. The default corpus is generated by a grammar with French word order: adjectives after the
noun (*the red car* → *la voiture rouge*), object pronouns before the verb (*sees her* → *la voit*),
*ne ... pas*, *the boy's dog* → *le chien du garçon*: the cross-attention maps show these
crossings. Words the model never saw become `<unk>` and stay visible as such.
"""

TRANSFORMER = LabSpec(
    id="transformer",
    title="Transformer translator",
    topic="Attention and translation",
    icon="🔤",
    summary="Train an encoder-decoder Transformer on English→French live, then translate and "
    "read its cross-attention per layer and head.",
    theory=TRANSFORMER_THEORY,
    params=(
        Param(
            "corpus",
            "choice",
            "generated",
            "generated: the project's English→French grammar (offline, with agreement and "
            "reordering); tatoeba: real short sentence pairs, downloaded once (falls back to the "
            "generated corpus offline, and says so).",
            choices=("generated", "tatoeba"),
        ),
        Param(
            "corpus_size",
            "int",
            30_000,
            "Training sentence pairs. The 500 held-out pairs are fixed and never trained on.",
            low=500,
            high=100_000,
        ),
        Param("layers", "int", 2, "Encoder layers, and as many decoder layers (course: 3).", low=1, high=6),
        Param("heads", "int", 4, "Attention heads; must divide the model width (course: 4).", low=1, high=16),
        Param(
            "d_model",
            "int",
            128,
            "Model width: size of every word vector (course: 256).",
            label="Model width (d_model)",
            low=16,
            high=512,
            step=16,
        ),
        Param(
            "ff_size",
            "int",
            256,
            "Hidden size of each layer's feed-forward network (course: 2048, PyTorch's default).",
            label="Feed-forward size",
            low=32,
            high=4096,
        ),
        Param(
            "dropout",
            "float",
            0.1,
            "Share of activations zeroed while training.",
            low=0.0,
            high=0.5,
            step=0.05,
        ),
        Param("epochs", "int", 6, "Passes over the training pairs.", low=1, high=100),
        Param(
            "batch_size",
            "int",
            64,
            "Sentence pairs per step (the course: 1, one pair per step).",
            low=1,
            high=512,
        ),
        learning_rate_param(1e-3, "Peak step size of Adam (the course: 0.0005, constant)."),
        Param(
            "schedule",
            "choice",
            "warmup-cosine",
            "warmup-cosine: rise linearly over the warm-up steps, then decay to 10% by the end; "
            "constant: the same rate throughout (the course).",
            choices=("warmup-cosine", "constant"),
        ),
        Param("warmup_steps", "int", 200, "Steps of linear warm-up.", low=0, high=5_000),
        Param(
            "label_smoothing",
            "float",
            0.1,
            "Share of each target's probability spread over the whole vocabulary (course: 0).",
            low=0.0,
            high=0.5,
            step=0.05,
        ),
        SEED,
    ),
)

PALINDROME_MODES = ("sweep", "single")

PALINDROMES_THEORY = r"""
The task: read the first $T-1$ digits of a palindrome, one digit per step as a one-hot vector,
and name the last. In a palindrome the last digit equals the first, so the network must carry
one digit across $T-2$ steps while ignoring everything after it; 10% is chance.

A **vanilla RNN** updates its state with one squashing per step, $h_t = \tanh(W x_t + U h_{t-1} +
b)$. The gradient that tells it to remember $x_1$ reaches step 1 only through the product
$\prod_t \partial h_t / \partial h_{t-1} = \prod_t \operatorname{diag}(1 - h_t^2)\,U$, which
usually shrinks geometrically with $T$ (**vanishing gradients**): past about $T = 20$ it learns
nothing and stays at chance.

An **LSTM** adds a cell state that is updated additively, under gates in $(0, 1)$:

$$i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i),\quad f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f),\quad
o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o),$$
$$g_t = \tanh(W_g x_t + U_g h_{t-1} + b_g),\quad c_t = f_t \odot c_{t-1} + i_t \odot g_t,\quad
h_t = o_t \odot \tanh(c_t).$$

Along the cell, $\partial c_t / \partial c_{t-1} = f_t$: with the forget gate near 1 the memory, and
its gradient, pass through many steps almost untouched. Starting the forget bias at 1.0 makes
that the default from the first step. Both models here are written from these equations, read
the last hidden state with a linear layer, and are trained side by side on the same batches with
cross-entropy, RMSprop and gradient clipping at norm 10 (the course's recipe; clipping stops the
rare exploding step from undoing what was learnt). The LSTM starts from Xavier weights; the RNN
as PyTorch's `nn.RNN` (and the course's) does, $U(\pm 1/\sqrt{H})$. The start matters: with
Xavier weights the RNN's recurrent matrix sits near the edge of stability and it often learns
$T = 20$ and beyond (try the RNN initialisation setting).

**Sweep** trains a fresh pair for each length and fills the accuracy-vs-$T$ plot as each length
finishes; a model stops at 100% held-out accuracy (1,000 fixed palindromes per length), or at the
step limit, and the RNN is given up on once it has stalled for the patience set (it says so in
the table of steps). Vanishing gradients make long memories slow and erratic to learn rather than
impossible, and one run per length is a small sample: in our sweeps the RNN stayed far below the
LSTM at $T = 20$ and 25 every time (9% to 40%), but at $T = 30$ it sometimes escaped (92% and 100%
in two runs with the course's learning rate of 0.001, one of which also left the LSTM at 78% after
800 steps). Change the seed and see how much a single run can mislead. Accuracy is measured on
held-out palindromes, never on the training batch (the course's curves were batch accuracies).

In **Try it**, the heatmaps show each LSTM gate per hidden unit and step: look for units whose
forget gate stays near 1 after the first digit.
"""

PALINDROMES = LabSpec(
    id="palindromes",
    title="Palindromes: RNN vs LSTM",
    topic="Sequence models",
    icon="🔁",
    summary="See why gates let an LSTM remember what a plain RNN forgets.",
    theory=PALINDROMES_THEORY,
    params=(
        Param(
            "mode",
            "choice",
            "sweep",
            "sweep: a fresh RNN and LSTM for each length from the shortest to the longest, filling "
            "the accuracy-vs-T plot; single: one pair at the longest length, with its curves.",
            choices=PALINDROME_MODES,
        ),
        Param(
            "longest",
            "int",
            30,
            "Palindrome length T (the longest of a sweep).",
            label="Length T",
            low=5,
            high=40,
        ),
        Param("shortest", "int", 5, "First length of a sweep.", label="Shortest T (sweep)", low=5, high=40),
        Param(
            "length_step",
            "int",
            5,
            "Sweep every n-th length: 5 gives T = 5, 10, ..., 30 (the course's).",
            label="Sweep step",
            low=1,
            high=10,
        ),
        Param("hidden_size", "int", 128, "Hidden units of each model (the course's: 128).", low=8, high=256),
        Param(
            "rnn_init",
            "choice",
            "pytorch",
            "How the RNN's weights start. pytorch: U(±1/√H), as nn.RNN and the course; each step "
            "shrinks the state, so the first digit fades. xavier: wider, recurrent matrix near the "
            "edge of stability; the RNN then often learns T = 20 and beyond. The LSTM always uses Xavier.",
            label="RNN initialisation",
            choices=("pytorch", "xavier"),
        ),
        Param(
            "steps_per_length",
            "int",
            800,
            "Step limit for each length; a model stops sooner once it is 100% right on held-out palindromes.",
            low=20,
            high=5_000,
        ),
        Param(
            "rnn_patience",
            "int",
            200,
            "Give up on the RNN at a length once its held-out accuracy has not gained 2 points in "
            "this many steps (0: never): it spares hundreds of steps of an RNN stuck at chance. The "
            "LSTM always gets every step: it can sit at chance for a few hundred before it finds the trick.",
            label="RNN patience",
            low=0,
            high=5_000,
        ),
        Param("batch_size", "int", 128, "Palindromes per step, drawn afresh each step.", low=8, high=1024),
        learning_rate_param(
            3e-3,
            "RMSprop step size (the course's: 0.001). Seed 0 with 0.003 gives the course's picture; "
            "with 0.001 the LSTM stalled at 78% at T = 30 and the RNN reached 100% there.",
        ),
        Param(
            "clip_norm",
            "float",
            10.0,
            "Largest gradient norm allowed per step (the course's: 10); 0 turns clipping off.",
            label="Gradient clipping",
            low=0.0,
            high=100.0,
        ),
        SEED,
    ),
)

ADDITION_THEORY = r"""
An LSTM adds two binary numbers the way we do on paper: it reads one column per step, least
significant bit first, the two bits $(a_t, b_t)$ as its input, and emits the sum bit $s_t$ of that
column through a sigmoid, $p_t = \sigma(w^\top h_t + c)$. Everything it must remember between
columns is the **carry**, one bit, so a tiny hidden state (the course's: 5 units) is enough:
$s_t = a_t \oplus b_t \oplus k_t$ and $k_{t+1} = \operatorname{maj}(a_t, b_t, k_t)$.

Training uses fresh random pairs of $L$-bit numbers each step and the binary cross-entropy of every
sum bit, $-\sum_t s_t \log p_t + (1 - s_t)\log(1 - p_t)$. The sum of two $L$-bit numbers can have
$L+1$ bits, so the model reads one extra column of zeros to emit the final carry (the course's
targets had $L$ bits and lost it; it also trained with a squared error on 250 fixed pairs and
validated on pairs it had mostly seen: at $L = 5$ there are only 1,024 pairs).

**Generalisation**: trained at one length, is it right at every length? Each length from 1 to 20
is tested on up to 1,000 held-out pairs: the **bit accuracy** (the course's figure) and the
**sum accuracy**, the share of sums with every bit right, which is the figure that matters for
arithmetic (at 20 bits, 99% of bits right still leaves most sums wrong). A network that learnt
the carry rule keeps going; one that learnt "what to do at step 3" does not.
"""

BINARY_ADDITION = LabSpec(
    id="binary-addition",
    title="Binary addition with an LSTM",
    topic="Sequence models",
    icon="➕",
    summary="Teach an LSTM to carry bits and test it on longer numbers.",
    theory=ADDITION_THEORY,
    params=(
        Param(
            "train_length",
            "int",
            5,
            "Bits of each number while training (the course's: 5).",
            low=1,
            high=12,
        ),
        Param(
            "hidden_size",
            "int",
            5,
            "Hidden units of the LSTM (the course's: 5). With 8 it learns 5 bits as fast but gets "
            "about 15% of 20-bit sums wrong: more room, more ways to fit the training length only.",
            low=1,
            high=128,
        ),
        Param(
            "steps",
            "int",
            1_500,
            "Step limit; training stops sooner once every held-out sum at the training length is right.",
            low=10,
            high=20_000,
        ),
        Param(
            "batch_size",
            "int",
            64,
            "Pairs of numbers per step, drawn afresh (the course's: 1).",
            low=1,
            high=1024,
        ),
        learning_rate_param(1e-2, "Adam step size (the course's: 0.01)."),
        Param(
            "loss",
            "choice",
            "bce",
            "bce: binary cross-entropy of each sum bit; mse: the squared error the course used.",
            choices=("bce", "mse"),
        ),
        Param(
            "early_stop",
            "bool",
            False,
            "Stop as soon as every held-out sum at the training length is right (the course's "
            "criterion). Off: use every step; the extra training carries the rule to longer numbers.",
        ),
        SEED,
    ),
)

BINARY_AE_ARCHITECTURES = ("fast", "course")

BINARY_AE_THEORY = r"""
A **binary autoencoder** squeezes a digit into a handful of bits. The encoder maps a $32\times32$
digit $x$ (pixels in $[-1, 1]$) to a $3\times4\times4$ map of real numbers $e(x)$; the code is their
signs, $b = \operatorname{sign}(e(x)) \in \{-1, +1\}^{48}$; the decoder turns the code back into a
digit, $\hat x = d(b)$, with transposed convolutions and a $\tanh$. 48 bits can tell apart
$2^{48} \approx 3\times10^{14}$ codes: plenty to give each training digit its own.

The sign has no useful gradient (zero almost everywhere), so training uses the
**straight-through estimator**: forward, $b = \operatorname{sign}(e)$; backward, the gradient passes
as if $b = e$. Three more tricks from the course: a **warm-up** with real-valued codes (the decoder
first learns from $e$ itself), an **L1** loss $\lVert \hat x - x\rVert_1$ (sharper digits than the
squared error) and a small **push term** $\lambda\,\mathrm{mean}\max(0, 1 - |e|)$ that moves the
codes away from 0, where the smallest change flips a bit.

Two additions of this lab. **Freezing the encoder** for the last part of the training: while it
learns, every step moves each code value a little, codes near 0 keep changing sign and the decoder
chases a moving target; frozen, the codes stay put and the decoder memorises the digits for them.
**Standardised codes** (the `fast` network): each code value is normalised over the batch, so
every bit is $+1$ for about half the digits; otherwise many bits take the same sign for every
digit and carry nothing.

Quality is the **PSNR**, $10\log_{10}(1/\mathrm{MSE})$ dB on $[0, 1]$ pixels, per image and averaged.
The course's criterion: above **25 dB on the training digits** the model memorises, with binary
codes. (The course's run met it at epoch 4 of a 10-epoch warm-up, that is with real-valued codes;
here both figures are shown.) Held-out digits show how far the codes generalise.
"""

BINARY_AE = LabSpec(
    id="binary-ae",
    title="Binary autoencoder",
    topic="Sequence models",
    icon="🔢",
    summary="Squeeze a digit into 48 bits, flip them one by one and watch the digit change.",
    theory=BINARY_AE_THEORY,
    params=(
        Param(
            "architecture",
            "choice",
            "fast",
            "fast: 16-32-64-channel convolutions, standardised codes, a wide first decoder layer "
            "(default, quick on a CPU); course: the course's 32-64-128-256-channel network (about "
            "38 s per epoch of 12,000 digits on a CPU).",
            choices=BINARY_AE_ARCHITECTURES,
        ),
        Param(
            "train_size",
            "int",
            1024,
            "How many training digits (the first of the training split) the model memorises.",
            label="Digits to memorise",
            low=64,
            high=60000,
        ),
        Param("epochs", "int", 100, "Passes over the digits to memorise.", low=1, high=2000),
        Param("batch_size", "int", 32, "Images per optimisation step.", low=8, high=1024),
        learning_rate_param(3e-3, "Peak step size of Adam (the course's: 0.001)."),
        Param(
            "schedule",
            "choice",
            "cosine",
            "cosine: short warm-up, then decay to zero by the end; constant: keep it fixed.",
            choices=("cosine", "constant"),
        ),
        Param(
            "warmup",
            "float",
            0.1,
            "Share of the training with real-valued codes before binarisation starts (the course: "
            "10 of 200 epochs, 0.05).",
            label="Warm-up share without binarisation",
            low=0.0,
            high=0.9,
            step=0.05,
        ),
        Param(
            "freeze_at",
            "float",
            0.4,
            "Share of the training after which the encoder is frozen: the codes stop changing and "
            "the decoder memorises the digits for them. 1 never freezes it (the course).",
            label="Freeze the encoder after",
            low=0.0,
            high=1.0,
            step=0.05,
        ),
        Param(
            "loss",
            "choice",
            "l1",
            "l1: mean absolute error (the course's); mse: squared error.",
            choices=("l1", "mse"),
        ),
        Param(
            "push_weight",
            "float",
            1e-3,
            "Weight λ of the term that pushes codes away from 0 (the course's: 0.001).",
            label="Push-away weight λ",
            low=0.0,
            high=1.0,
        ),
        SEED,
    ),
)

BINARY_PRIOR_MODELS = ("lstm", "denoise-fc")

BINARY_PRIOR_THEORY = r"""
An **autoregressive prior** learns which 48-bit codes a binary autoencoder uses. The codes of a set
of training digits are read as sequences of bits $b_1 \dots b_{48}$, and a model learns
$p(b) = \prod_{i} p(b_i \mid b_1, \dots, b_{i-1})$: an **LSTM** (an embedding of the bits, 2 layers,
hidden size 128) reads the bits so far and predicts the next one, trained with the binary
cross-entropy of every next bit at once (teacher forcing). A start symbol lets it learn the first
bit too (the course drew it at random).

**Sampling** draws the bits one at a time, $b_i \sim \mathrm{Bernoulli}(\sigma(z_i / T))$: a
**temperature** $T < 1$ sharpens each choice towards the likeliest bit, $T > 1$ flattens it
towards a coin toss, $T = 0$ always takes the likeliest. The decoder then turns each code into a
digit.

**Memorisation rate**: the share of generated codes that exactly equal a training code (course
criterion: above 80%). It says the prior reproduces its data; **coverage**, how many different
training codes come out, says whether it reproduces all of it or just a few favourites.

The course's **denoise-fc** variant is no sequence model: a stack of 12 residual fully connected
blocks learns to restore codes with 5% of their bits flipped; generation starts from random bits
and applies it 10 times. It memorised 93.75% of 64 samples in the course.
"""

BINARY_PRIOR = LabSpec(
    id="binary-prior",
    title="Autoregressive prior over binary codes",
    topic="Sequence models",
    icon="🎲",
    summary="An LSTM learns the 48-bit codes of digits bit by bit, then dreams up codes of its own.",
    theory=BINARY_PRIOR_THEORY,
    params=(
        Param(
            "model",
            "choice",
            "lstm",
            "lstm: next-bit prediction, embedding + 2-layer LSTM, hidden 128 (default); "
            "denoise-fc: the course's 12-block fully connected code denoiser.",
            choices=BINARY_PRIOR_MODELS,
        ),
        Param(
            "digits",
            "int",
            128,
            "How many training digits' codes to learn (the first of the autoencoder's; the "
            "course's: 128 for the LSTM, 64 for denoise-fc).",
            label="Codes to learn",
            low=8,
            high=2048,
        ),
        Param("epochs", "int", 300, "Passes over the codes.", low=1, high=5000),
        Param(
            "batch_size",
            "int",
            128,
            "Codes per optimisation step. denoise-fc needs several steps per epoch: with 64 codes, "
            "16 memorised 96% where 128 (one step per epoch) memorised 11%.",
            low=8,
            high=1024,
        ),
        learning_rate_param(5e-3, "Peak step size of Adam (the course's: 0.001)."),
        Param(
            "noise",
            "float",
            0.05,
            "denoise-fc only: share of bits flipped in the training inputs (the course's: 0.05).",
            low=0.0,
            high=0.5,
            step=0.01,
        ),
        Param(
            "temperature",
            "float",
            1.0,
            "Sampling temperature used to score the memorisation rate while training.",
            low=0.0,
            high=10.0,
            step=0.05,
        ),
        SEED,
    ),
)

SEQ2SEQ_THEORY = r"""
**Encoder-decoder.** An encoder RNN (GRU or LSTM) reads the English words $x_1..x_S$ into states
$h_1..h_S$; a decoder RNN starts from the last one and writes French one word at a time,
$p(y_t \mid y_{<t}, x) = \mathrm{softmax}(W_o\, s_t)$, trained by cross-entropy
$\mathcal{L} = -\sum_t \log p(y_t \mid y_{<t}, x)$. Without attention, everything the decoder
knows about the sentence must fit in that one vector $h_S$: fine for four words, lossy for
fifteen.

**Attention.** At each step the decoder's new state $s_t$ scores every encoder state, the
scores become weights, and the context is the weighted mean of the encoder states:

$$e_{t,i} = v^\top \tanh(W_s s_t + W_h h_i) \;\text{(additive)}\quad\text{or}\quad
e_{t,i} = \frac{s_t^\top h_i}{\sqrt{H}} \;\text{(dot)},\qquad
\alpha_{t,i} = \frac{e^{e_{t,i}}}{\sum_j e^{e_{t,j}}},\qquad c_t = \sum_i \alpha_{t,i} h_i .$$

The output layer reads $[s_t; c_t]$ (Luong et al., 2015), so every step can look back at any
source word; the weights $\alpha_{t,i}$ are the alignment heatmap (French puts most
adjectives after the noun, so the alignment leaves the diagonal there).

**Teacher forcing.** While training, each step is fed the true previous French word with
probability *teacher forcing*, else the model's own guess; at 1 it learns fastest, lower values
practise recovering from its own mistakes. Both models get the same coin flips.

**A fair comparison.** One training trains both models in alternation, one step each on the
same batch, so they see the same data for the same number of steps (their seconds differ:
attention costs more per step, and both are reported). **Held-out BLEU** (sacreBLEU, 0-100) is
measured on 500 sentences that are never trained on, overall and on those longer than 8 words,
where the single-vector bottleneck shows. The course scored BLEU on its training pairs and
mapped unknown words to padding; here they are `<unk>`, shown as such, and padding is masked.
"""

SEQ2SEQ = LabSpec(
    id="seq2seq",
    title="Seq2seq with attention",
    topic="Attention and translation",
    icon="🔁",
    summary="Translate English to French with a recurrent encoder-decoder, trained with and without "
    "attention side by side; read the alignment behind every translation.",
    theory=SEQ2SEQ_THEORY,
    params=(
        Param(
            "cell",
            "choice",
            "gru",
            "Recurrent cell of encoder and decoder (the course used an LSTM).",
            choices=("gru", "lstm"),
        ),
        Param(
            "attention",
            "choice",
            "additive",
            "Score of the attention model: additive (Bahdanau) or scaled dot product (Luong).",
            choices=("additive", "dot"),
        ),
        Param(
            "teacher_forcing",
            "float",
            1.0,
            "Share of training steps fed the true previous word rather than the model's guess "
            "(the course used 0.5).",
            low=0.0,
            high=1.0,
            step=0.05,
        ),
        Param(
            "corpus",
            "choice",
            "generated",
            "generated: the project's English→French grammar (offline); "
            "tatoeba: real short sentences, if downloaded (else the generated ones, and it is said).",
            choices=("generated", "tatoeba"),
        ),
        Param("corpus_size", "int", 8000, "Training pairs.", low=200, high=50_000),
        Param("epochs", "int", 10, "Passes over the training pairs.", low=1, high=50),
        Param("batch_size", "int", 128, "Sentence pairs per step.", low=8, high=512),
        learning_rate_param(3e-3, "Adam's step size, the same for both models."),
        Param("embedding", "int", 64, "Size of the word embeddings.", low=8, high=256),
        Param("hidden", "int", 128, "Size of the recurrent states.", low=16, high=512),
        SEED,
    ),
)
# Labs from the course that are on the way; the home page lists them so a teacher sees the plan.
PLANNED: tuple[LabSpec, ...] = ()

READY: tuple[LabSpec, ...] = (
    GAN,
    VAE,
    DENOISE,
    MNIST_ROWS,
    CHARLSTM,
    ATTENTION,
    SEQ2SEQ,
    PALINDROMES,
    BINARY_ADDITION,
    BINARY_AE,
    BINARY_PRIOR,
    TRANSFORMER,
)


def all_specs() -> list[LabSpec]:
    """Every lab's spec: the lab packages found in core/labs/ (each declares its own), then the
    ones still written here, in catalogue order."""
    from core.registry import package_specs  # torch-free: reads only each package's spec.py

    legacy = [replace(spec, order=(index + 1) * 10.0) for index, spec in enumerate(READY + PLANNED)]
    specs = {spec.id: spec for spec in legacy} | {spec.id: spec for spec in package_specs()}
    return sorted(specs.values(), key=lambda spec: spec.order)


def ready_specs() -> list[LabSpec]:
    return [spec for spec in all_specs() if spec.status == "ready"]


def catalogue() -> dict[str, list[LabSpec]]:
    """All labs grouped by topic: topics in the order of their first lab, labs by `order`."""
    topics: dict[str, list[LabSpec]] = {}
    for spec in all_specs():
        topics.setdefault(spec.topic, []).append(spec)
    return topics
