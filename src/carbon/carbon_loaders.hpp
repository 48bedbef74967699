#pragma once
// Readers for the carbon-intensity formats carbonedge accepts. Every bad row fails with
// "FILE:LINE: ..." (InputError).
#include <string>

#include "carbon/carbon_series.hpp"

namespace ce {

enum class CarbonFormat {
  Auto,             // decided from the header row
  ElectricityMaps,  // hourly data-portal CSV ("Datetime (UTC),...,Carbon Intensity gCO₂eq/kWh (direct),...")
  SimGrid,          // SimGrid 4.2 carbon plugin CSV: host_id,timestamp,carbon_intensity
  Generic,          // timestamp,value
};

CarbonFormat parse_carbon_format(const std::string& name);  // "auto", "electricitymaps", "simgrid", "generic"

struct CarbonLoadOptions {
  CarbonFormat format = CarbonFormat::Auto;
  std::string column = "direct";  // Electricity Maps: "direct" or "lca"
  std::string host_id;            // SimGrid format: rows of this host_id only (empty = all rows)
};

// Timestamps: Electricity Maps rows are UTC date-times (ISO or DD/MM/YYYY HH:MM). In the SimGrid
// and generic formats a plain number is seconds since the experiment start (series.relative = true)
// and a date-time is UTC.
CarbonSeries load_carbon_csv(const std::string& path, const std::string& zone, const CarbonLoadOptions& opt);

// Appends b after a (both absolute, a ending no later than b starts); used to join yearly files.
void append_series(CarbonSeries& a, const CarbonSeries& b, const std::string& b_path);

}  // namespace ce
