"""Publishes fedmsg messages as fedmsg's FedMsgContext.publish does: [topic, json of {topic, msg, msg_id, timestamp, i, username}].

Usage: zmq_publish_fedmsg.py BIND_ADDRESS < messages.json
messages.json: a JSON list of {"topic", "msg"}. The socket is an XPUB (to subscribers the same as fedmsg's PUB)
so that it can wait for a first subscriber before sending, instead of losing messages to the slow joiner.
Prints the JSON list of msg_ids sent.
"""
import datetime
import getpass
import json
import sys
import time
import uuid

import zmq

address = sys.argv[1]
messages = json.load(sys.stdin)
context = zmq.Context()
socket = context.socket(zmq.XPUB)
socket.setsockopt(zmq.LINGER, 5000)
socket.bind(address)
if socket.poll(20000) == 0:
    sys.exit("no subscriber")
socket.recv()
ids = []
for i, message in enumerate(messages, start=1):
    topic = message["topic"]
    msg = dict(
        topic=topic,
        msg=message["msg"],
        timestamp=int(time.time()),
        msg_id=str(datetime.datetime.now().year) + "-" + str(uuid.uuid4()),
        i=i,
        username=getpass.getuser(),
    )
    socket.send_multipart([topic.encode("utf-8"), json.dumps(msg).encode("utf-8")])
    ids.append(msg["msg_id"])
print(json.dumps(ids), flush=True)
socket.close()
context.term()
