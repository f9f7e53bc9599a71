"""Reads fedmsg frames as fedmsg's tail_messages does (`_topic, message = s.recv_multipart()`, then JSON).

Usage: zmq_subscribe_fedmsg.py CONNECT_ADDRESS TOPIC_PREFIX WARM_TOPIC COUNT
Prints "WARM" when the first message on WARM_TOPIC arrives (so the sender knows the subscription is live),
then one JSON line per message under TOPIC_PREFIX: {"frame_topic", "message"}, COUNT of them.
"""
import json
import sys

import zmq

address, prefix, warm, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
context = zmq.Context()
socket = context.socket(zmq.SUB)
socket.setsockopt(zmq.SUBSCRIBE, prefix.encode("utf-8"))
socket.setsockopt(zmq.SUBSCRIBE, warm.encode("utf-8"))
socket.connect(address)
warmed = False
received = 0
while received < count:
    if socket.poll(20000) == 0:
        sys.exit("timed out after {} of {} messages".format(received, count))
    _topic, message = socket.recv_multipart()
    msg = json.loads(message)
    if _topic.decode("utf-8") == warm:
        if not warmed:
            warmed = True
            print("WARM", flush=True)
        continue
    print(json.dumps({"frame_topic": _topic.decode("utf-8"), "message": msg}), flush=True)
    received += 1
socket.close(linger=0)
context.term()
