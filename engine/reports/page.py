"""The HTML report's page: its style sheet and its Jinja2 template (autoescaped).

The page has no script and loads nothing: its Content-Security-Policy allows only this
style sheet (by its hash), so even text that escaped escaping could run nothing.
"""

CSS = """
:root { --ok: #1a7f37; --changed: #9a6700; --failed: #cf222e; --unreachable: #8250df;
  --skipped: #0969da; --ignored: #9a6700; --line: #d0d7de; --dim: #57606a; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 78rem;
  padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; word-break: break-all; }
h2 { font-size: 1.1rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
  margin-top: 2rem; }
h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.facts dt { color: var(--dim); }
dl.facts dd { margin: 0; word-break: break-all; }
.outcome { display: inline-block; font-weight: 600; padding: .1rem .6rem; border-radius: 1rem;
  color: #fff; background: var(--ok); }
.outcome-failed { background: var(--failed); }
.outcome-unreachable { background: var(--unreachable); }
.outcome-interrupted { background: var(--dim); }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .2rem .6rem; text-align: left;
  vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #8c959f; }
tr.bad th { color: var(--failed); }
.ok { color: var(--ok); } .changed { color: var(--changed); } .failed { color: var(--failed); }
.unreachable { color: var(--unreachable); } .skipped { color: var(--skipped); }
.ignored { color: var(--ignored); }
.error { color: var(--failed); white-space: pre-wrap; word-break: break-word; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: .5rem;
  overflow-x: auto; margin: .3rem 0; font-size: 12.5px; }
pre .sent { font-weight: 700; }
pre .add { color: var(--ok); } pre .del { color: var(--failed); } pre .ctx { color: var(--dim); }
details.host { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0;
  padding: .3rem .8rem; }
details.host > summary { cursor: pointer; font-weight: 600; }
details.host.bad { border-color: var(--failed); }
.step { border-left: 3px solid var(--line); padding-left: .7rem; margin: .6rem 0; }
.step-failed { border-color: var(--failed); }
.step-unreachable { border-color: var(--unreachable); }
.step-changed { border-color: var(--changed); } .step-ok { border-color: var(--ok); }
.label { font-weight: 600; text-transform: uppercase; font-size: .75rem; margin-left: .4rem; }
.time { color: var(--dim); font-weight: 400; margin-left: .4rem; }
.timeline { width: 100%; }
.timeline th { white-space: nowrap; font-weight: 500; width: 1%; }
.timeline td { width: 99%; padding: .15rem 0; }
.lane { display: block; width: 100%; height: 14px; background: #f6f8fa; }
.lane rect.ok { fill: var(--ok); } .lane rect.changed { fill: var(--changed); }
.lane rect.failed { fill: var(--failed); } .lane rect.unreachable { fill: var(--unreachable); }
.lane rect.skipped { fill: var(--skipped); } .lane rect.ignored { fill: var(--ignored); }
.axis { display: flex; justify-content: space-between; color: var(--dim); font-size: 12px; }
.dim { color: var(--dim); }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ policy }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netplay {{ version }}">
<title>netplay: {{ playbook }} ({{ outcome }})</title>
<style>{{ css | safe }}</style>
</head>
<body>
<header>
<h1>{{ playbook }}</h1>
<p><span id="outcome" class="outcome outcome-{{ outcome }}">{{ outcome }}</span></p>
<dl class="facts">
<dt>inventory</dt><dd>{{ inventory }}</dd>
<dt>started</dt><dd>{{ started }}</dd>
<dt>wall time</dt><dd id="wall-time">{{ elapsed }}</dd>
<dt>hosts</dt><dd>{{ host_count }}</dd>
{% for play, mode in plays %}<dt>play</dt><dd>{{ play }}{% if mode %}
 <span class="dim">({{ mode }})</span>{% endif %}</dd>
{% endfor %}</dl>
</header>

{% if ending %}<section id="ending"><h2>How the run ended</h2>
{% for line in ending %}<p class="error">{{ line }}</p>
{% endfor %}{% for line in not_run %}<p>not run: {{ line }}</p>
{% endfor %}</section>{% endif %}

<section id="recap"><h2>Recap</h2>
<table>
<thead><tr><th>host</th>{% for name in counts %}<th>{{ name }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in recap %}<tr data-host="{{ row.host }}"{% if row.bad %} class="bad"{% endif %}>
<th><a href="#{{ row.anchor }}">{{ row.host }}</a></th>{% for name, value in row.counts %}
<td class="n {{ name if value else 'zero' }}" data-count="{{ name }}">{{ value }}</td>{% endfor %}
</tr>
{% endfor %}</tbody>
</table>
</section>

{% if failures %}<section id="failures"><h2>Failures</h2>
<table>
<thead><tr><th>host</th><th>step</th><th>what</th><th>error</th></tr></thead>
<tbody>
{% for f in failures %}<tr data-host="{{ f.host }}">
<th><a href="#{{ f.anchor }}">{{ f.host }}</a></th><td>{{ f.step }}</td>
<td class="{{ f.status }}">{{ f.kind }}</td><td class="error">{{ f.error }}</td>
</tr>
{% endfor %}</tbody>
</table>
</section>{% endif %}

{% if batches %}<section id="batches"><h2>Batches</h2>
<table>
<thead><tr><th>play</th><th>batch</th><th>hosts</th><th>outcome</th></tr></thead>
<tbody>
{% for b in batches %}<tr><td>{{ b.play }}</td><td>{{ b.number }}</td><td>{{ b.hosts }}</td>
<td class="{{ b.cls }}">{{ b.outcome }}</td></tr>
{% endfor %}</tbody>
</table>
</section>{% endif %}

{% if slowest %}<section id="slowest"><h2>Slowest hosts</h2>
<table>
<thead><tr><th>host</th><th>own time</th>{% for p in phases %}<th>{{ p }}</th>{% endfor %}
</tr></thead>
<tbody>
{% for s in slowest %}<tr><th><a href="#{{ s.anchor }}">{{ s.host }}</a></th>
<td class="n">{{ s.busy }}</td>{% for v in s.phases %}<td class="n">{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</section>{% endif %}

<section id="timeline"><h2>Timeline</h2>
<p class="dim">When each host ran each step, from the start of the run.</p>
<table class="timeline">
<thead><tr><th></th><td><div class="axis">{% for tick in ticks %}<span>{{ tick }}</span>
{% endfor %}</div></td></tr></thead>
<tbody>
{% for row in lanes %}<tr data-host="{{ row.host }}"><th>{{ row.host }}</th><td>
<svg class="lane" viewBox="0 0 1000 10" preserveAspectRatio="none" role="img">
{% for bar in row.bars %}<rect x="{{ bar.x }}" y="0" width="{{ bar.width }}" height="10"
 class="{{ bar.cls }}"><title>{{ bar.title }}</title></rect>
{% endfor %}</svg></td></tr>
{% endfor %}</tbody>
</table>
</section>

<section id="hosts"><h2>Hosts</h2>
{% for host in hosts %}<details class="host{% if host.bad %} bad{% endif %}" id="{{ host.anchor }}"
 data-host="{{ host.name }}"{% if host.bad %} open{% endif %}>
<summary>{{ host.name }} <span class="dim">{{ host.summary }}</span></summary>
{% for s in host.steps %}<div class="step step-{{ s.label }}">
<h3>{{ s.step }}<span class="label {{ s.label }}">{{ s.label }}</span>
<span class="time">{{ s.time }}</span></h3>
{% if s.error %}<p class="error">{{ s.kind }}: {{ s.error }}</p>{% endif %}
{% if s.msg %}<p>{{ s.msg }}</p>{% endif %}
{% for sent, answer in s.exchanges %}<pre><span class="sent">{{ sent }}</span>
{{ answer }}</pre>
{% endfor %}{% if s.facts %}<pre>{{ s.facts }}</pre>{% endif %}
{% if s.diff %}<p class="dim">configuration changes</p>
<pre class="diff">{% for cls, line in s.diff %}<span class="{{ cls }}">{{ line }}</span>
{% endfor %}</pre>{% endif %}
{% if s.rollback %}<p class="{{ s.rollback.cls }}">{{ s.rollback.text }}</p>{% endif %}
</div>
{% endfor %}</details>
{% endfor %}</section>
</body>
</html>
"""
