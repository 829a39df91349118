"""The catalogue: every lab's spec, ready or planned, grouped by topic.

Specs are data (titles, theory, hyperparameters), so they live here, away from the models:
this module imports no torch, which lets the home page show the whole catalogue in a moment.
A lab's code (core/labs/<id>.py) takes its spec from here and is imported only when the lab is
opened (see core.registry).
"""

from __future__ import annotations

from core.specs import LabSpec, Param

DIGIT_ARCHITECTURES = ("fast-cnn", "cnn", "mlp")

DIGITS_THEORY = r"""
A classifier maps an image $x$ to ten scores (logits) $z = f_\theta(x)$; the softmax turns them
into probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$. Training minimises the cross-entropy
$\mathcal{L} = -\log p_y$ of the true digit $y$, averaged over a mini-batch, by gradient steps
$\theta \leftarrow \theta - \eta \nabla_\theta \mathcal{L}$ (AdamW adds momentum, a per-weight
step size and weight decay).

A **convolution** slides a small filter over the image, $h_{ij} = \sum_{u,v} w_{uv}\,x_{i+u,j+v} + b$,
so the same edge or stroke detector is used everywhere; pooling halves the resolution, and
deeper layers combine strokes into parts of digits. An **MLP** instead gives every pixel its own
weight, so it must learn each stroke at each position. **Batch norm** rescales each channel to
zero mean and unit variance over the batch, which lets larger learning rates work; **dropout**
zeroes random units while training so the network cannot lean on any single one.

Watch the held-out curve, not just the training one: the gap between them is overfitting.
Data note: MNIST-12k/3.6k (used in class and CI) is 12,000 training and 3,604 *separate*
held-out digits; accuracy on the training images would flatter the model.
"""

DIGITS = LabSpec(
    id="digits",
    title="Handwritten digits",
    topic="Classification",
    icon="✏️",
    summary="Train an MNIST classifier live, then draw digits and watch it decide.",
    theory=DIGITS_THEORY,
    params=(
        Param(
            "architecture",
            "choice",
            "fast-cnn",
            "fast-cnn: compact 16/32/64 CNN (fastest); "
            "cnn: the course's 32/64/128 CNN; mlp: the course's 784-256-128-64-10 MLP.",
            choices=DIGIT_ARCHITECTURES,
        ),
        Param(
            "dataset",
            "choice",
            "mnist",
            "Handwritten digits, or Fashion-MNIST clothing.",
            choices=("mnist", "fashion-mnist"),
        ),
        Param("epochs", "int", 4, "Passes over the training set.", low=1, high=30),
        Param("batch_size", "int", 128, "Images per optimisation step.", low=8, high=1024),
        Param(
            "learning_rate",
            "float",
            3e-3,
            "Peak step size. Try 10 to see the loss blow up.",
            low=1e-5,
            high=10.0,
            log=True,
        ),
        Param(
            "optimizer",
            "choice",
            "adamw",
            "AdamW, or SGD with momentum 0.9 (the course's).",
            choices=("adamw", "sgd"),
        ),
        Param(
            "schedule",
            "choice",
            "one-cycle",
            "one-cycle: warm up then anneal the learning rate; constant: keep it fixed.",
            choices=("one-cycle", "constant"),
        ),
        Param(
            "dropout",
            "float",
            0.2,
            "Share of units zeroed in the fully connected layers.",
            low=0.0,
            high=0.8,
            step=0.05,
        ),
        Param("weight_decay", "float", 1e-4, "L2 pull of the weights towards zero.", low=0.0, high=0.1),
        Param("augment", "bool", False, "Shift training digits by up to 2 pixels at random."),
        Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1),
    ),
)

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
        Param(
            "learning_rate",
            "float",
            5e-3,
            "Peak step size of Adam (the course used 0.001, constant).",
            low=1e-5,
            high=1.0,
            log=True,
        ),
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
        Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1),
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
        Param(
            "learning_rate",
            "float",
            1e-2,
            "Peak step size of Adam (the course used 0.001, constant).",
            low=1e-5,
            high=1.0,
            log=True,
        ),
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
        Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1),
    ),
)

GAN_RECIPES = ("dcgan", "mlp")

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
            "dcgan",
            "dcgan: a small convolutional GAN (default; recognisable digits several times sooner on "
            "a CPU); mlp: the course's fully connected GAN (G 100-128-256-512-1024-784, D "
            "784-512-256-1). For the whole course recipe also set learning rate 0.0002, R1 0 and "
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
        Param(
            "learning_rate",
            "float",
            2e-3,
            "Adam's step size for both networks, betas (0.5, 0.999). The course used 0.0002.",
            low=1e-5,
            high=1.0,
            log=True,
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
        Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1),
    ),
)

# Labs from the course that are on the way; the home page lists them so a teacher sees the plan.
PLANNED: tuple[LabSpec, ...] = (
    LabSpec(
        "binary-ae",
        "Binary autoencoder and autoregressive prior",
        "Sequence models",
        "Squeeze a digit into 48 bits, then let an LSTM dream up new codes.",
        status="planned",
    ),
    LabSpec(
        "palindromes",
        "Palindromes: RNN vs LSTM",
        "Sequence models",
        "See why gates let an LSTM remember what a plain RNN forgets.",
        status="planned",
    ),
    LabSpec(
        "binary-addition",
        "Binary addition with an LSTM",
        "Sequence models",
        "Teach an LSTM to carry bits and test it on longer numbers.",
        status="planned",
    ),
    LabSpec(
        "mnist-rows",
        "MNIST row by row: the RNN family",
        "Sequence models",
        "Read a digit one row at a time with RNN, LSTM and GRU.",
        status="planned",
    ),
    LabSpec(
        "charlstm",
        "Character-level text model",
        "Sequence models",
        "Memorise sentences character by character and generate from a prompt.",
        status="planned",
    ),
    LabSpec(
        "attention",
        "Attention explorer",
        "Attention and translation",
        "Type two sentences and read the scaled dot-product attention between them.",
        status="planned",
    ),
    LabSpec(
        "seq2seq",
        "Seq2seq with attention",
        "Attention and translation",
        "Translate with a GRU encoder-decoder, with and without attention.",
        status="planned",
    ),
    LabSpec(
        "transformer",
        "Transformer translator",
        "Attention and translation",
        "Train an encoder-decoder Transformer and read its cross-attention.",
        status="planned",
    ),
)

READY: tuple[LabSpec, ...] = (DIGITS, GAN, VAE, DENOISE)


def catalogue() -> dict[str, list[LabSpec]]:
    """All labs, ready first, grouped by topic in a stable order."""
    topics: dict[str, list[LabSpec]] = {}
    for spec in READY + PLANNED:
        topics.setdefault(spec.topic, []).append(spec)
    return topics
