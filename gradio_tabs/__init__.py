"""The Gradio app's tabs, one module per lab, and what they share (common.py)."""
