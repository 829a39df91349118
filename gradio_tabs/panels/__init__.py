"""Labs' own Gradio panels, where a generated one would not do (see gradio_tabs/lab_tab.py)."""
