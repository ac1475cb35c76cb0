"""Surgery between steps while the loop still holds the last step's loss (and so its autograd graph,
which holds each parameter's gradient accumulator): training must go on with the new shapes."""
import torch
import torch.nn.functional as F

import revacnn
from models import images, labels, paper_model
from revacnn.undo import SavedState


def test_training_goes_on_after_surgery_and_undo_while_the_last_loss_is_alive():
    torch.manual_seed(0)
    model = paper_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = images(2), labels(2)
    losses = []
    for step in range(4):
        loss = F.cross_entropy(model(x), y)  # held until the next step, as a user's loop does
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step == 0:
            saved = SavedState(model, optimizer)
            revacnn.add_filters(model, optimizer, "3", 2, init="random", generator=torch.Generator().manual_seed(1))
        if step == 1:
            revacnn.remove_filters(model, optimizer, "0", [3])
        if step == 2:
            saved.restore()
    assert model[3].weight.shape == (20, 16, 5, 5)
    assert all(torch.isfinite(torch.tensor(losses)))
