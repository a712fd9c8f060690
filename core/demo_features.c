/* core/demo_features.c: the demo's feature set, the text of
 * data/demand_features.spec compiled into the binary so `sextant demo`
 * needs no file beside it. tests/test_features_cli.c checks that the two
 * are identical: edit the .spec file and this string together. The demo's
 * models train on demand_model: that spec and sx_demo_model_spec_extra. */
#include "demo.h"

const char sx_demo_feature_spec[] =
    "# demand_features: the demo's feature set for daily energy demand.\n"
    "# `sextant demo` adds it and fits it on energy_train (2018-2022).\n"
    "\n"
    "# Training only: drop rows no sensor could have produced.\n"
    "filter temperature between -60 and 60 and wind >= 0\n"
    "filter humidity is null or humidity between 0 and 100\n"
    "\n"
    "# Calendar features from the date.\n"
    "feature month = month(date)\n"
    "feature dayofweek = dayofweek(date)\n"
    "feature is_weekend = dayofweek(date) >= 5\n"
    "feature calendar_season = season(date)\n"
    "\n"
    "# Temperature: degrees below 18 °C drive heating, degrees above 22 °C cooling.\n"
    "feature heating_degrees = max(18 - temperature, 0)\n"
    "feature cooling_degrees = max(temperature - 22, 0)\n"
    "\n"
    "# Weather: fill in the missing humidity, scale, and sum it up in two components.\n"
    "impute median humidity\n"
    "standardize temperature, humidity, wind, heating_degrees, cooling_degrees\n"
    "pca weather 2 of temperature, humidity, wind\n"
    "\n"
    "# Regions: one column each; a region unseen in training goes to region_other.\n"
    "onehot region top 10\n"
    "\n"
    "# Free text is not a feature.\n"
    "drop notes\n";

const char sx_demo_model_spec_extra[] =
    "\n"
    "# demand_model: the above, and the customer segment, for the demo's models.\n"
    "onehot customer_segment top 20\n";
