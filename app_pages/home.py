"""Home: the lab catalogue, grouped by topic; ready labs link to their page."""

import streamlit as st

from app_pages import lab_page
from core.catalogue import catalogue

CARDS_PER_ROW = 3

st.title("🧠 Deep Learning Labs")
st.markdown(
    "Learn deep learning by doing: pick a lab, train a small model live while its curves grow, "
    "then play with it. Every lab also works at once with a bundled pretrained model."
)

for topic, specs in catalogue().items():
    st.subheader(topic)
    for start in range(0, len(specs), CARDS_PER_ROW):
        for column, spec in zip(
            st.columns(CARDS_PER_ROW), specs[start : start + CARDS_PER_ROW], strict=False
        ):
            with column.container(border=True):
                st.markdown(f"**{spec.heading}**")
                st.caption(spec.summary)
                if page := lab_page(spec):
                    st.page_link(page, label="Open the lab", icon="▶️")
                else:
                    st.caption("🕒 Planned")
