/**
 * Python source run in each python-function interpreter, part 1 of 3: the
 * frame bridge. Python talks to its worker only through the character device
 * `/dev/loopedge` (see bridge-device.ts), never through a JsProxy, so no
 * JavaScript object is needed by, or left reachable from, the user's code.
 *
 * Frame layout (little endian): u32 total length, u32 part count, u32 length
 * per part, then the parts. Part 0 is a small JSON control object; for a value,
 * part 1 is its JSON text in the sandbox wire format's encoding (tags such as
 * {"\u0000": "b", "i": 0} for bytes, see sandbox/value-codec.ts) and every
 * further part one bytes value: the worker passes them through unchanged.
 */
export const PYTHON_BRIDGE = String.raw`
import ast as _ast
import asyncio as _asyncio
import builtins as _builtins
import datetime as _datetime
import json as _json
import math as _math
import os as _os
import struct as _struct
import sys as _sys
import time as _time
import traceback as _traceback

_FD = _os.open('/dev/loopedge', _os.O_RDWR)
_TAG = '\u0000'
_LIMITS = {}
_NO_VALUE = object()


class _Activation:
    """Counters for one message (or On Start / On Stop): caps stop floods."""
    __slots__ = ('seq', 'sends', 'logs', 'dropped_logs')

    def __init__(self, seq):
        self.seq = seq
        self.sends = 0
        self.logs = 0
        self.dropped_logs = 0


_current = _Activation(-1)


def _read_exact(n):
    chunks = []
    while n > 0:
        chunk = _os.read(_FD, n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


def _read_frame():
    head = _os.read(_FD, 4)
    if len(head) < 4:
        return None
    (total,) = _struct.unpack('<I', head)
    data = _read_exact(total)
    (count,) = _struct.unpack_from('<I', data, 0)
    lengths = _struct.unpack_from('<%dI' % count, data, 4)
    parts = []
    offset = 4 + 4 * count
    for length in lengths:
        parts.append(data[offset:offset + length])
        offset += length
    return parts


def _write_frame(parts):
    count = len(parts)
    header = _struct.pack('<II%dI' % count, 4 + 4 * count + sum(len(p) for p in parts), count, *(len(p) for p in parts))
    _os.write(_FD, header + b''.join(parts))


def _tag_non_finite(value):
    """NaN and the infinities keep their value across, as the wire format's number tag."""
    if isinstance(value, float) and not _math.isfinite(value):
        return {_TAG: 'n', 'v': 'NaN' if value != value else ('Infinity' if value > 0 else '-Infinity')}
    if isinstance(value, dict):
        return {k: _tag_non_finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tag_non_finite(v) for v in value]
    return value


def _encode_value(value):
    """The sandbox wire format's JSON text (tags for bytes and non-finite numbers) plus exact bytes."""
    blobs = []

    def default(o):
        if isinstance(o, (bytes, bytearray, memoryview)):
            blobs.append(bytes(o))
            return {_TAG: 'b', 'i': len(blobs) - 1}
        if isinstance(o, (set, frozenset)):
            return list(o)
        raise TypeError(
            'a value of type %s cannot leave the python-function node: use dict, list, str, int, float, bool, None or bytes'
            % type(o).__name__)

    try:
        text = _json.dumps(value, default=default, allow_nan=False, separators=(',', ':'))
    except ValueError as error:
        if 'Circular reference' in str(error):
            raise ValueError('the value refers to itself (a cycle) and cannot be sent') from None
        blobs.clear()
        text = _json.dumps(_tag_non_finite(value), default=default, allow_nan=False, separators=(',', ':'))
    encoded = text.encode('utf-8', 'surrogatepass')
    size = len(encoded) + sum(len(b) for b in blobs)
    if size > _LIMITS['max_value_bytes']:
        raise ValueError('the value is %d bytes, over the limit of %d bytes for one message' % (size, _LIMITS['max_value_bytes']))
    return [encoded, *blobs]


def _js_time(ms):
    """A JavaScript Date as its toISOString() text, what JSON would have carried."""
    if ms is None:
        return None
    moment = _datetime.datetime(1970, 1, 1, tzinfo=_datetime.timezone.utc) + _datetime.timedelta(milliseconds=ms)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)


def _decode_value(text, blobs):
    """The wire format's JSON text (see sandbox/value-codec.ts for its tags) → Python values."""
    # JSON writes a NUL as the six characters \u0000: without them there is no tag to revive.
    if b'\\u0000' not in text:
        return _json.loads(text)

    def hook(d):
        kind = d.get(_TAG) if _TAG in d else None
        if kind is None:
            return d
        if kind == 'b':
            return blobs[d['i']]
        if kind == 'n':
            return float(d['v'].lower().replace('infinity', 'inf'))
        if kind == 'u':
            return None
        if kind == 'i':
            return int(d['v'])
        if kind == 'd':
            return _js_time(d.get('v'))
        if kind == 'o':
            return d['v']
        if kind == 'm':
            return {str(k): v for k, v in d['v']}
        if kind == 's':
            return list(d['v'])
        if kind == 'r':
            return {'source': d.get('s'), 'flags': d.get('f')}
        if kind == 'e':
            return {**(d.get('p') or {}), 'name': d.get('n'), 'message': d.get('m')}
        return d

    return _json.loads(text, object_hook=hook)


def _emit(control, value=_NO_VALUE):
    ctl = _json.dumps(control, separators=(',', ':')).encode()
    if value is _NO_VALUE:
        _write_frame([ctl])
    else:
        _write_frame([ctl, *_encode_value(value)])


def _host_call(control, value=_NO_VALUE):
    """A synchronous call to the runtime (context): the worker blocks until it answers."""
    _emit(control, value)
    parts = _read_frame()
    if parts is None:
        raise RuntimeError('no answer from the runtime to %s' % control.get('op'))
    reply = _json.loads(parts[0])
    if 'error' in reply:
        raise RuntimeError(reply['error'])
    if len(parts) > 1:
        return _decode_value(parts[1], parts[2:])
    return None


`;
