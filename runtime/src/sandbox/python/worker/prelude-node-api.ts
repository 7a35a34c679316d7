/**
 * Python source, part 2 of 3: the node API the user's code sees — `node`
 * (id, name, outputCount, send, done, log, warn, error, debug, trace, status),
 * `context` / `flow` / `global_` (get, set, keys; synchronous) and `env.get`.
 * Sends and log lines are counted per message and capped.
 */
export const PYTHON_NODE_API = String.raw`
def _text(args):
    out = []
    for a in args:
        if isinstance(a, str):
            out.append(a)
        elif isinstance(a, BaseException):
            out.append('%s: %s' % (type(a).__name__, a))
        else:
            try:
                out.append(_json.dumps(a, default=repr))
            except Exception:
                out.append(repr(a))
    return ' '.join(out)


def _log(level, args):
    act = _current
    act.logs += 1
    if act.logs > _LIMITS['max_logs']:
        act.dropped_logs += 1
        return
    text = _text(args)
    if len(text) > _LIMITS['max_log_chars']:
        text = text[:_LIMITS['max_log_chars']] + '... (%d characters cut)' % (len(text) - _LIMITS['max_log_chars'])
    _emit({'op': 'log', 'level': level, 'text': text})


def _outputs_of(value, what):
    """Node-RED's shapes: a dict (first output), a list per output, or None."""
    if value is None:
        return None
    if isinstance(value, dict):
        return [value]
    if isinstance(value, (list, tuple)):
        outputs = []
        for i, port in enumerate(value):
            if port is None or isinstance(port, dict):
                outputs.append(port)
            elif isinstance(port, (list, tuple)):
                for m in port:
                    if m is not None and not isinstance(m, dict):
                        raise TypeError('%s: output %d holds a %s; each message must be a dict' % (what, i + 1, type(m).__name__))
                outputs.append(list(port))
            else:
                raise TypeError('%s: output %d holds a %s; use a dict, a list of dicts or None' % (what, i + 1, type(port).__name__))
        return outputs
    raise TypeError('%s must be a dict, a list (one entry per output) or None, not %s' % (what, type(value).__name__))


class _Node:
    """The node API: id, name, outputCount, send, done, log, warn, error, debug, trace, status."""
    __slots__ = ('id', 'name', 'outputCount', 'output_count')

    def __init__(self, node_id, name, outputs):
        self.id = node_id
        self.name = name
        self.outputCount = outputs
        self.output_count = outputs

    def send(self, msg, clone=True):
        outputs = _outputs_of(msg, 'node.send()')
        if outputs is None:
            return
        act = _current
        act.sends += 1
        if act.sends > _LIMITS['max_sends']:
            raise RuntimeError('node.send() was called more than %d times for one message' % _LIMITS['max_sends'])
        _emit({'op': 'send', 'seq': act.seq}, outputs)

    def done(self):
        """Completion is when the function returns; kept for Node-RED habits."""

    def log(self, *args):
        _log('info', args)

    def warn(self, *args):
        _log('warn', args)

    def error(self, err, msg=None):
        """Report an error without failing the message; with a msg it reaches the catch nodes."""
        name = type(err).__name__ if isinstance(err, BaseException) else 'Error'
        text = str(err) if isinstance(err, BaseException) else _text([err])
        if msg is None:
            _emit({'op': 'error', 'name': name, 'message': text[:_LIMITS['max_log_chars']]})
        else:
            _emit({'op': 'error', 'name': name, 'message': text[:_LIMITS['max_log_chars']]}, msg)

    def debug(self, *args):
        _log('debug', args)

    def trace(self, *args):
        _log('trace', args)

    def status(self, status=None, **fields):
        if status is None:
            status = fields
        elif isinstance(status, str):
            status = {'text': status}
        if not isinstance(status, dict):
            raise TypeError('node.status() takes a dict with fill, shape and text, or a string')
        clean = {}
        for key in ('fill', 'shape', 'text'):
            if status.get(key) is not None:
                clean[key] = str(status[key])[:_LIMITS['max_log_chars']]
        _emit({'op': 'status', 'status': clean})


def _keys_of(key):
    if isinstance(key, str):
        return [key], False
    if isinstance(key, (list, tuple)) and all(isinstance(k, str) for k in key):
        return list(key), True
    raise TypeError('context keys are strings (or a list of strings)')


class _Scope:
    """context / flow / global_: get, set, keys, synchronous like Node-RED's memory store."""
    __slots__ = ('_scope',)

    def __init__(self, scope):
        self._scope = scope

    def get(self, key, store=None):
        keys, many = _keys_of(key)
        values = _host_call({'op': 'context-get', 'scope': self._scope, 'keys': keys, 'store': store})
        return values if many else values[0]

    def set(self, key, value=None, store=None):
        keys, many = _keys_of(key)
        values = list(value) if many else [value]
        if len(values) != len(keys):
            raise ValueError('context.set() with %d keys needs %d values' % (len(keys), len(keys)))
        _host_call({'op': 'context-set', 'scope': self._scope, 'keys': keys, 'store': store}, values)

    def keys(self, store=None):
        return _host_call({'op': 'context-keys', 'scope': self._scope, 'store': store})


class _Context(_Scope):
    __slots__ = ('flow', 'global_')

    def __init__(self, flow, glob):
        super().__init__('node')
        self.flow = flow
        self.global_ = glob

    def __getattr__(self, name):
        if name == 'global':
            return self.global_
        raise AttributeError(name)


class _Env:
    """env.get(name): the node's environment variables as Node-RED resolves them (flow, group, process)."""
    __slots__ = ()

    def get(self, name, default=None):
        if not isinstance(name, str):
            raise TypeError('env.get() takes the name of a variable')
        value = _host_call({'op': 'env-get', 'name': name})
        return default if value is None else value

`;
