#!/usr/bin/python3
"""Generate a CDN-like carbonedge platform: one site per city, at the city's coordinates.

  /usr/bin/python3 scripts/make_geo_platform.py platforms/geo/cities.csv --region europe --sites 300 \
      --out platforms/cdn_europe.yaml [--user-cities 2000] [--hosts-per-site 10] [--seed 1] [--min-km 10]

Cities: the CSV written by scripts/make_city_list.py (GeoNames, CC BY 4.0; platforms/geo/README.md).
The --sites most populous cities of the region are taken (ties broken by zone, then name: deterministic),
skipping a city within --min-km (great circle) of a more populous one already taken, so that a
metropolis and its suburbs (GeoNames lists e.g. London boroughs as cities) make one site.

Each site (`name` = city slug, `lat`, `lon`, `region` = the city's carbon zone) has
  * an uplink {bandwidth: 10Gbps, latency: 0.5ms}, no power figure (metro backbone port; its energy
    is not modelled),
  * K edge servers "{site}-srv-{i}": the edge-server of platforms/edge_testbed.yaml (Dell XE2420,
    2x Xeon Gold 6252 + 4x T4: 4 cores, 16 Tflop/s, "190:260:470" W, source devices.csv),
  * one "{site}-users" host: the city's users as one request source, i.e. the access gateway their
    requests enter by (1 core, 10 Gflop/s, 10 W idle / 15 W busy: an assumed small access router /
    5G small-cell gateway class figure [assumption, no datasheet]); its arm has 5 ms one way, the
    access latency (5G eMBB 4-10 ms, reference section 5). It is meant as a workload
    request source (the users CSV below with `source_weights:`, or the "*-users" glob), not for
    running models.
and the platform gets `network: {distance: {km_per_ms: 204, stretch: S, fixed: 1ms}}`: fibre at
c/1.468 = 204 km/ms; stretch 2.0 for Europe, 1.7 for the US (GCP inter-region RTT / great-circle
medians, docs reference resilience-and-geo.md section 5).

Users (--user-cities N): the requests of a CDN come from where people live, not only from the
server sites. The greedy pass above goes on past the server sites until N cities are taken (the
server sites are the first --sites taken, so their selection does not depend on N). A taken
city that is not a server site becomes a user-only site (same naming, lat/lon/region/uplink) with
only the "{site}-users" host. A city within --min-km of one taken before it merges into the
nearest taken city. The script also writes <out without .yaml>_users.csv, `host,weight`: each
users host with the population of the city it stands for plus that of the cities merged into it,
for a workload's `source_weights:` (docs/inputs-workload.md). N below --sites means the server
sites only.

--seed is accepted for interface stability; the selection is fully deterministic and does not use
it (it is written into the header).
"""
import argparse
import csv
import math
import re
import sys
import unicodedata

STRETCH = {"europe": 2.0, "us": 1.7}
# site name prefix per zone (site = "<prefix>-<city slug>")
PREFIX = {"US-CAL-CISO": "ca", "US-TEX-ERCO": "tx", "US-NY-NYIS": "ny", "US-MIDA-PJM": "pjm", "CA-ON": "on",
          "GB": "gb", "DE": "de", "FR": "fr", "ES": "es", "NO": "no"}


def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "city"


def gc_km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cities")
    ap.add_argument("--region", choices=sorted(STRETCH), required=True)
    ap.add_argument("--sites", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hosts-per-site", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-km", type=float, default=10.0)
    ap.add_argument("--zones", help="comma-separated zones to keep (default: all of the region's)")
    ap.add_argument("--user-cities", type=int, default=0,
                    help="users hosts at the N most populous cities, server sites included (default: those only)")
    a = ap.parse_args()

    from_region = {"europe": {"GB", "DE", "FR", "ES", "NO"},
                   "us": {"US-CAL-CISO", "US-TEX-ERCO", "US-NY-NYIS", "US-MIDA-PJM", "CA-ON"}}[a.region]
    if a.zones:
        from_region = set(a.zones.split(","))
    with open(a.cities, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["zone"] in from_region]
    rows.sort(key=lambda r: (-int(r["population"]), r["zone"], r["name"], r["lat"], r["lon"]))
    # One greedy pass in population order: the first --sites cities taken are the server sites
    # (exactly as without --user-cities), the next ones user-only sites; a city near a taken one
    # merges into the nearest (its users are that city's users).
    want = max(a.sites, a.user_cities)
    picked = []
    for r in rows:
        p = (float(r["lat"]), float(r["lon"]))
        near = [(gc_km(p, q["_p"]), j) for j, q in enumerate(picked)]
        near = [x for x in near if x[0] < a.min_km]
        if near:
            picked[min(near)[1]]["_pop"] += int(r["population"])
            continue
        if len(picked) < want:
            r["_p"], r["_pop"] = p, int(r["population"])
            picked.append(r)
    if len(picked) < a.sites:
        sys.exit(f"only {len(picked)} cities available for {a.sites} sites")
    servers, user_only = picked[:a.sites], picked[a.sites:]

    names = {}
    for r in picked:
        base = f'{PREFIX.get(r["zone"], slug(r["zone"]))}-{slug(r["name"])}'
        n = names.get(base, 0) + 1
        names[base] = n
        r["_name"] = base if n == 1 else f"{base}-{n}"

    zones = {}
    for r in servers:
        zones[r["zone"]] = zones.get(r["zone"], 0) + 1
    k = a.hosts_per_site
    cmd = " ".join(["/usr/bin/python3", "scripts/make_geo_platform.py"] + sys.argv[1:])
    users_csv = (a.out[:-5] if a.out.endswith(".yaml") else a.out) + "_users.csv"
    nhosts = a.sites * (k + 1) + len(user_only)
    out = []
    w = out.append
    w(f"# Generated by: {cmd}")
    w("# (scripts/make_geo_platform.py; do not edit by hand). CDN-like edge deployment, one site per city:")
    w(f"# the {a.sites} most populous cities of the {a.region} zones (at least {a.min_km:g} km apart),")
    if user_only:
        w(f"# {k} edge servers + 1 users host each, plus {len(user_only)} user-only sites (the next most populous")
        w(f"# cities, only a users host each) = {nhosts} hosts.")
    else:
        w(f"# {k} edge servers + 1 users host each = {nhosts} hosts.")
    w("# Sites per zone: " + ", ".join(f"{z} {n}" for z, n in sorted(zones.items())))
    if user_only:
        uzones = {}
        for r in user_only:
            uzones[r["zone"]] = uzones.get(r["zone"], 0) + 1
        w("# User-only sites per zone: " + ", ".join(f"{z} {n}" for z, n in sorted(uzones.items())))
    w("# City names/coordinates: GeoNames (CC BY 4.0), see platforms/geo/README.md.")
    w("# Edge server: platforms/edge_testbed.yaml's edge-server (devices.csv: Dell XE2420 2x Xeon Gold 6252")
    w("# + 4x T4, idle assumed), booting in 120 s and shutting down in 20 s at its idle power (assumed: POST +")
    w("# OS boot of a rack server is 1-3 min; no datasheet figure), so powering sites off has a price.")
    w("# Users host: the city's access gateway as request source (assumed 10/15 W,")
    w("# arm 5 ms one way = access latency). Servers' arms 10 Gbps / 0.1 ms; uplinks 10 Gbps / 0.5 ms, no power.")
    w(f"# Distance latency: 204 km/ms fibre, stretch {STRETCH[a.region]} ({a.region}), 1 ms fixed per")
    w("# inter-site path (docs/inputs.md; reference resilience-and-geo.md section 5).")
    w(f"# Users: {users_csv} (host,weight) weights each of the {len(picked)} users hosts by the population")
    w(f"# of its city plus that of the cities within {a.min_km:g} km merged into it. To draw requests from where")
    w("# people live, give a workload source `source_weights: <that CSV, relative to the experiment file>`")
    w("# (docs/inputs-workload.md); `sources: {\"*-users\": 1}` weights the users hosts equally.")
    w(f"name: cdn_{a.region}")
    w(f"default_region: {picked[0]['zone']}")
    w(f"network: {{distance: {{km_per_ms: 204, stretch: {STRETCH[a.region]}, fixed: 1ms}}}}")
    hosts = [
        f'{{name: "{{site}}-srv-{{i}}", count: {k}, cores: 4, speed: 16Tf, power: "190:260:470", memory: 64GB, '
        'attach: {bandwidth: 10Gbps, latency: 0.1ms}, boot: {time: 120s, power: 190}, shutdown: {time: 20s, power: 190}, '
        'source: "devices.csv: Dell XE2420 2x Xeon Gold 6252 + 4x T4 (idle assumed); boot/shutdown assumed"}',
        ('&users ' if user_only else '') + '{name: "{site}-users", cores: 1, speed: 10Gf, power: "10:15", memory: 1GB, '
        'attach: {bandwidth: 10Gbps, latency: 5ms}, '
        'source: "assumed: access gateway / small-cell aggregation of the city\'s users"}',
    ]
    w("sites:")
    for j, r in enumerate(servers):
        head = (f'  - {{name: {r["_name"]}, lat: {float(r["lat"]):.4f}, lon: {float(r["lon"]):.4f}, '
                f'region: {r["zone"]}, uplink: {{bandwidth: 10Gbps, latency: 0.5ms}}, ')
        if j == 0:  # the first site declares the host list, the others reuse it (YAML alias)
            w(head + "hosts: &hosts [")
            w("      " + ",\n      ".join(hosts) + "]}")
        else:
            w(head + "hosts: *hosts}")
    for r in user_only:  # users only: the same users host as the server sites', via the &users anchor
        w(f'  - {{name: {r["_name"]}, lat: {float(r["lat"]):.4f}, lon: {float(r["lon"]):.4f}, '
          f'region: {r["zone"]}, uplink: {{bandwidth: 10Gbps, latency: 0.5ms}}, hosts: [*users]}}')
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    with open(users_csv, "w", encoding="utf-8", newline="") as f:
        f.write("host,weight\n" + "".join(f'{r["_name"]}-users,{r["_pop"]}\n' for r in picked))
    print(f"{a.out}: {a.sites} server sites + {len(user_only)} user-only sites, {nhosts} hosts; " +
          ", ".join(f"{z} {n}" for z, n in sorted(zones.items())), file=sys.stderr)
    if a.user_cities > len(picked):
        print(f"{users_csv}: only {len(picked)} user cities after merging (asked for {a.user_cities})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
