FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Dependencies first, exactly as locked (hashes checked), so code changes reuse this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY gateway ./gateway
COPY consent ./consent
COPY connectors ./connectors
COPY mock_registries ./mock_registries
RUN pip install --no-cache-dir --no-deps . && pip check && useradd --system --home /app samtykke && mkdir -p /app/var && chown samtykke /app/var
USER samtykke
EXPOSE 8000
CMD ["samtykke", "serve", "--host", "0.0.0.0"]
