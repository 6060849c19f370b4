#pragma once
// Trainer for recurrent nets: batches of sequences, forward over every step,
// loss on the readout of h_T, full BPTT, per-time-step statistics, clipping, update,
// divergence detection. Internal to core; front ends use Trainer::create().
//
// Depth units are time steps t = 1..T ("time step"); StepStats::layers[t-1] holds:
//   activationGradNorm  RMS over the batch of ||d loss_b / d h_t|| (all paths to the loss)
//   weightGradNorm      ||dU_t h_{t-1}^T||_F, step t's term of the BPTT sum for dL/dW_h
//                       (W_h stacked over gates); 0 at t = 1 because h_0 = 0
//   biasGradNorm        step t's term of dL/db
//   weightNorm          ||W_h||_F, the same at every t (one shared matrix)
//   updateRatio         ||delta W_h||_F / ||W_h||_F, the same at every t (one shared update)
//   activationMean/Std  of h_t over units and batch
//   saturation          fraction of (unit, sample) with phi' < 0.05 max phi': vanilla phi,
//                       LSTM tanh(c_t), GRU candidate tanh
//   gateMean/Saturation LSTM forget gate f, GRU update gate z (fraction < 0.05 or > 0.95)
// jacobianChain(): d s_t / d s_{t-1}, t = 2..T (firstDepthUnit = 2), s = h, or (h, c) for
// the LSTM; bounded by kJacobianChainBudgetBytes (recurrent_cell.h).
// weightMatrices(): the recurrent matrix as square H x H blocks in gate order (vanilla
// W_h; LSTM i, f, g, o; GRU r, z, n), so each has a spectral radius.

#include <memory>

#include "core/training/trainer.h"

namespace gradflow::core {

std::unique_ptr<Trainer> createRecurrentTrainer(const ExperimentConfig& config);

}  // namespace gradflow::core
