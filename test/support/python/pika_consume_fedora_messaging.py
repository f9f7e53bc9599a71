"""Consumes COUNT messages the way a fedora-messaging consumer receives them and prints each as one JSON line.

Usage: pika_consume_fedora_messaging.py AMQP_URL EXCHANGE BINDING COUNT
Prints "READY" once its queue is bound, then per message {"routing_key", "properties": {...}, "body"}.
"""
import json
import sys

import pika

url, exchange, binding, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
channel.queue_bind(queue, exchange, binding)
print("READY", flush=True)
received = 0
for method, properties, body in channel.consume(queue, inactivity_timeout=20):
    if method is None:
        sys.exit("timed out after {} of {} messages".format(received, count))
    print(json.dumps({
        "routing_key": method.routing_key,
        "properties": {
            "content_type": properties.content_type,
            "content_encoding": properties.content_encoding,
            "delivery_mode": properties.delivery_mode,
            "message_id": properties.message_id,
            "priority": properties.priority,
            "headers": properties.headers,
        },
        # Decoded as fedora_messaging.message.get_message does: with the content encoding, then JSON.
        "body": json.loads(body.decode(properties.content_encoding)),
    }), flush=True)
    channel.basic_ack(method.delivery_tag)
    received += 1
    if received == count:
        break
connection.close()
