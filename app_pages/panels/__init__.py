"""Labs' own Streamlit panels, where a generated one would not do (see ui_streamlit.lab_page)."""
