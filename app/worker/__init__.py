"""The webhook delivery worker: claims due deliveries, sends them, records attempts, schedules retries."""
