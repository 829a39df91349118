"""The VAE lab's spec: its place in the catalogue, its settings and the course's recipe
(torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

VAE_ARCHITECTURES = ("mlp", "conv")

# The course's settings (its notebook: MLP VAE, BCE + KL, Adam 1e-3, batch 128), as lab settings.
COURSE_RECIPE = {
    "architecture": "mlp",
    "learning_rate": 1e-3,
    "schedule": "constant",
    "batch_size": 128,
    "dropout": 0.0,
    "mean_init": False,
}

SPEC = LabSpec(
    id="vae",
    title="Variational autoencoder",
    topic="Generative models",
    icon="🌀",
    order=20,
    summary="Map digits to a 2-D latent plane, decode any point of it, and walk between digits.",
    theory=read_theory(__file__),
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
        Param.dataset(),
        Param.epochs(60, 300),
        Param.batch_size(128),
        learning_rate_param(5e-3, "Peak step size of Adam (the course used 0.001, constant)."),
        Param.schedule(
            ("cosine", "constant"),
            "cosine: short warm-up, then decay to zero by the end (of the epochs, or of a time "
            "or step limit if one comes first); constant: keep it fixed, as the course did.",
        ),
        Param.share(
            "dropout",
            0.2,
            "Share of the encoder's hidden units zeroed while training. On 12,000 digits the "
            "encoder overfits first; the course used none.",
            high=0.8,
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
