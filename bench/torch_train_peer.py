"""PyTorch (float64) time of one training epoch for bench/train.ts: an MLP 64 → 512 → 512 → 10 (ReLU), Adam (lr 1e-3)
on CrossEntropyLoss, shuffled minibatches of 128 of 10,000 examples (79 steps), the usual loop (zero_grad, forward,
loss, backward, step).
Usage: /usr/bin/python3 bench/torch_train_peer.py <threads>   one JSON line {"impl", "firstMs", "ms"}: the first epoch,
then the median of 3 more"""
import json
import sys
import time

import torch

torch.set_default_dtype(torch.float64)
THREADS = int(sys.argv[1])
torch.set_num_threads(THREADS)
torch.manual_seed(0)

N, D, K, BATCH = 10_000, 64, 10, 128
x = torch.rand(N, D)
y = torch.randint(0, K, (N,))
model = torch.nn.Sequential(torch.nn.Linear(D, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, K))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()


def epoch():
    order = torch.randperm(N)
    for start in range(0, N, BATCH):
        rows = order[start:start + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()


start = time.perf_counter()
epoch()
first = (time.perf_counter() - start) * 1000
times = []
for _ in range(3):
    start = time.perf_counter()
    epoch()
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({'impl': f'PyTorch {THREADS}t', 'firstMs': first, 'ms': sorted(times)[1]}), flush=True)
