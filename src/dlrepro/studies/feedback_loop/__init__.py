"""fast.ai lesson 1's predictive-policing feedback loop, as a simulation."""
