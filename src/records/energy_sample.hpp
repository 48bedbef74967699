#pragma once
// A consumer's cumulative energy at one instant: what sim/ and accounting/ sample at every
// intensity change point and what the carbon integral turns into grams.
namespace ce {

struct EnergySample {
  double t;            // simulated seconds
  double energy_j;     // cumulative energy at t
  double idle_j = 0;   // of which at idle (or off) power: what the consumer would use doing nothing
  double replica_j = 0;  // of idle_j: model replicas held in memory and loaded (hosts with `replicas:`)
};

constexpr double kJoulesPerKWh = 3.6e6;

}  // namespace ce
