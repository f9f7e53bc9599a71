"""Publishes messages exactly as fedora-messaging does (its docs/wire-format.rst and Message._build_properties).

Usage: pika_publish_fedora_messaging.py AMQP_URL EXCHANGE < messages.json
messages.json: a JSON list of {"topic", "body", "users", "packages", "severity", "schema"}.
Prints the JSON list of message ids it published, once the broker confirmed them all.
"""
import datetime
import json
import sys
import uuid

import pika

url, exchange = sys.argv[1], sys.argv[2]
messages = json.load(sys.stdin)
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.confirm_delivery()
ids = []
for message in messages:
    headers = {
        "fedora_messaging_schema": message.get("schema", "base.message"),
        "sent-at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "fedora_messaging_severity": message.get("severity", 20),
    }
    for user in message.get("users", []):
        headers["fedora_messaging_user_{}".format(user)] = True
    for package in message.get("packages", []):
        headers["fedora_messaging_rpm_{}".format(package)] = True
    message_id = str(uuid.uuid4())
    properties = pika.BasicProperties(
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=2,
        headers=headers,
        message_id=message_id,
    )
    channel.basic_publish(exchange, message["topic"], json.dumps(message["body"]).encode("utf-8"), properties, mandatory=False)
    ids.append(message_id)
connection.close()
print(json.dumps(ids), flush=True)
