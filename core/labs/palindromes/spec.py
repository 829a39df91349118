"""The palindromes lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

PALINDROME_MODES = ("sweep", "seeds", "single")

SPEC = LabSpec(
    id="palindromes",
    title="Palindromes: RNN vs LSTM",
    topic="Sequence models",
    icon="🔁",
    order=80,
    summary="See why gates let an LSTM remember what a plain RNN forgets.",
    theory=read_theory(__file__),
    params=(
        Param(
            "mode",
            "choice",
            "sweep",
            "sweep: a fresh RNN and LSTM for each length from the shortest to the longest, filling "
            "the accuracy-vs-T plot; seeds: the same sweep for several seeds, drawn as the median "
            "and the range, to see how reliable each model is; single: one pair at the longest "
            "length, with its curves.",
            choices=PALINDROME_MODES,
        ),
        Param(
            "seeds",
            "int",
            3,
            "Mode seeds: how many seeds to train the sweep for (seed, seed + 1, ...); each takes as "
            "long as one sweep, and seed k gives the same models as a sweep with seed k.",
            label="Seeds (mode seeds)",
            low=2,
            high=10,
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
            "forget_bias",
            "float",
            3.0,
            "Where the LSTM's forget gates start: σ(b) of the cell is kept per step, 0.73 with "
            "1.0 (so after 28 steps 0.02% of the first digit's trace is left), 0.95 with 3.0 (26%). "
            "At rate 0.003, a fresh LSTM learnt T = 25 or 30 within 800 steps in 3 tries of 6 with "
            "1.0, and in 10 of 10 with 3.0 (60 to 220 steps).",
            label="LSTM forget-gate bias at the start",
            low=-5.0,
            high=10.0,
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
        Param.batch_size(128, "Palindromes per step, drawn afresh each step."),
        learning_rate_param(
            3e-3,
            "RMSprop step size (the course's: 0.001). With the forget bias at 3.0, 0.001 also gets "
            "the LSTM there, but slowly: 93% within 60 steps, then a long tail (560 steps to 100% at "
            "T = 25, against 60 to 160 with 0.003).",
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
