"""Deep Learning Labs, Streamlit front: `streamlit run app.py`.

The entry point is a router: it sets the page config, lists the pages (home, then one page per
ready lab, grouped by topic) and runs the one the student opened.
"""

import streamlit as st

from app_pages import lab_page
from core.catalogue import catalogue

st.set_page_config(page_title="Deep Learning Labs", page_icon="🧠", layout="wide")
# Pages catch every error they expect; should a bug slip through, the student sees its type and
# the traceback goes to the server log only.
st.set_option("client.showErrorDetails", "type")

pages: dict[str, list[st.Page]] = {
    "": [st.Page("app_pages/home.py", title="All labs", icon="🏠", default=True)]
}
for topic, specs in catalogue().items():
    for spec in specs:
        if page := lab_page(spec):
            pages.setdefault(topic, []).append(page)

st.navigation(pages).run()
