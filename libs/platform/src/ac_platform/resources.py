"""What a service's lifespan opens for it: its settings, database pool and Kafka producer."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer

from ac_platform.settings import ServiceSettings


@dataclass
class Resources:
    settings: ServiceSettings
    pool: asyncpg.Pool | None = None
    producer: AIOKafkaProducer | None = None

    @property
    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError(f"{self.settings.service_name} has no database")
        return self.pool

    @property
    def kafka_producer(self) -> AIOKafkaProducer:
        if self.producer is None:
            raise RuntimeError(f"{self.settings.service_name} has no Kafka producer")
        return self.producer

    @property
    def kafka_servers(self) -> str:
        if not self.settings.kafka_bootstrap_servers:
            raise RuntimeError(
                f"{self.settings.service_name}: no Kafka (set KAFKA_BOOTSTRAP_SERVERS)"
            )
        return self.settings.kafka_bootstrap_servers
