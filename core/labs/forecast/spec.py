"""The forecasting lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

CELLS = ("rnn", "lstm", "gru")
CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
SERIES = ("melbourne", "co2", "clemson")
MAX_WINDOW, MAX_HORIZON = 365, 60

SPEC = LabSpec(
    id="forecast",
    title="Forecasting with RNN, LSTM and GRU",
    topic="Time series",
    icon="📈",
    order=130,
    summary="Forecast Melbourne's daily temperatures (or Mauna Loa's CO2) with an RNN, an LSTM and "
    "a GRU trained side by side, one step and many steps ahead, beside honest baselines.",
    theory=read_theory(__file__),
    params=(
        Param(
            "series",
            "choice",
            "melbourne",
            "melbourne: daily maximum temperatures 1981-1990, the last two years held out; co2: weekly "
            "Mauna Loa CO2 1958-2001, the last eight years held out; clemson: daily maximum "
            "temperatures in Clemson, South Carolina, 1991-2020 (its gaps filled), the last three "
            "years held out.",
            choices=SERIES,
        ),
        Param(
            "models",
            "multichoice",
            CELLS,
            "Which recurrent cells to train side by side, each on the same batches.",
            choices=CELLS,
        ),
        Param(
            "window",
            "int",
            30,
            "Past values each forecast reads: days for the temperatures, weeks for CO2 (the course read 10).",
            low=2,
            high=MAX_WINDOW,
        ),
        Param(
            "horizon",
            "int",
            7,
            "Steps each model forecasts at once (the direct forecast); 1 trains one-step models only, "
            "as the course did.",
            low=1,
            high=MAX_HORIZON,
        ),
        Param(
            "hidden_size", "int", 32, "Units in each cell's hidden state (the course: 32).", low=4, high=256
        ),
        Param.epochs(15, 300, "Passes over the training windows (the course made 100, full batch)."),
        Param.batch_size(
            64, "Windows per optimisation step; 4096 is all of them at once (the course).", high=4096
        ),
        learning_rate_param(3e-3, "Step size of Adam (the course used 0.01)."),
        SEED,
    ),
)
