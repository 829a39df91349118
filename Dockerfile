# The Streamlit app as a Hugging Face Docker Space (or any container host).
# Spaces run containers as user 1000 and route to port 7860.
FROM python:3.11-slim
# The CycleGAN lab's style A (Noto Color Emoji); OpenMoji, style B, comes from requirements.txt.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-noto-color-emoji && rm -rf /var/lib/apt/lists/*
RUN useradd -m -u 1000 user
USER user
ENV PATH="/home/user/.local/bin:$PATH" \
    DLL_RUNS_DIR=/home/user/runs \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
WORKDIR /home/user/app
COPY --chown=user requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY --chown=user . .
EXPOSE 7860
CMD ["streamlit", "run", "app.py", "--server.port=7860", "--server.address=0.0.0.0", "--server.headless=true"]
