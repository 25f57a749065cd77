// Every model's batch: the default (neuron/neuron_batch.h) or the model's
// own specialisation, listed here so Core sees them all. A model with its
// own batch adds one include.
#pragma once

#include "neuron/batch/if_cond_exp.h"
#include "neuron/batch/if_curr_exp.h"
#include "neuron/models.h"
#include "neuron/neuron_batch.h"
