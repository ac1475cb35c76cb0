"""The optimiser's per-element state moves with the weights: survivors keep theirs, new entries
start at zero, the user's optimizer object stays valid, and training goes on."""
import pytest
import torch

import revacnn
from models import images, labels, paper_model, train

OPTIMIZERS = {
    "sgd-momentum": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4),
    "adam": lambda params: torch.optim.Adam(params, lr=1e-3, amsgrad=True),
    "adadelta": lambda params: torch.optim.Adadelta(params, lr=1.0),
}


def per_element_state(optimizer, param):
    return {k: v.clone() for k, v in optimizer.state[param].items() if torch.is_tensor(v) and v.shape == param.shape}


def scalar_state(optimizer, param):
    return {k: v for k, v in optimizer.state[param].items() if not (torch.is_tensor(v) and v.shape == param.shape)}


def trained_paper_model(kind, steps):
    """The paper's model and a `kind` optimiser after `steps` steps on 8 images, with those images."""
    torch.manual_seed(0)
    model = paper_model()
    optimizer = OPTIMIZERS[kind](model.parameters())
    x, y = images(8), labels(8)
    train(model, optimizer, x, y, steps)
    return model, optimizer, x, y


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_state_carried_for_survivors_and_zero_for_new_filters(kind):
    model, optimizer, x, y = trained_paper_model(kind, 3)
    conv, consumer = model[3], model[6]
    groups = [list(g["params"]) for g in optimizer.param_groups]
    before = {name: per_element_state(optimizer, p) for name, p in
              [("weight", conv.weight), ("bias", conv.bias), ("consumer", consumer.weight)]}
    scalars = scalar_state(optimizer, conv.weight)
    grad = conv.weight.grad.clone()
    assert before["weight"], "the optimiser keeps per-element state"

    revacnn.add_filters(model, optimizer, "3", 2, init="net2net", source=4)
    assert [list(g["params"]) for g in optimizer.param_groups] == groups  # same Parameter objects
    assert scalar_state(optimizer, conv.weight) == scalars
    for key, old in before["weight"].items():
        state = optimizer.state[conv.weight][key]
        assert state.shape == conv.weight.shape
        assert torch.equal(state[:20], old) and state[20:].abs().max() == 0
    for key, old in before["bias"].items():
        assert torch.equal(optimizer.state[conv.bias][key], torch.cat([old, old.new_zeros(2)]))
    for key, old in before["consumer"].items():
        state = optimizer.state[consumer.weight][key]
        assert torch.equal(state[:, :20], old) and state[:, 20:].abs().max() == 0
    assert torch.equal(conv.weight.grad[:20], grad) and conv.weight.grad[20:].abs().max() == 0

    kept = [f for f in range(22) if f not in (1, 20)]
    middle = per_element_state(optimizer, consumer.weight)
    revacnn.remove_filters(model, optimizer, "3", [1, 20])
    for key, old in middle.items():
        assert torch.equal(optimizer.state[consumer.weight][key], old[:, kept])


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_training_goes_on_and_new_filters_learn(kind):
    model, optimizer, x, y = trained_paper_model(kind, 2)
    revacnn.add_filters(model, optimizer, "3", 3, init="zero-out", generator=torch.Generator().manual_seed(1))
    revacnn.add_filters(model, optimizer, "6", 2, init="random")
    revacnn.remove_filters(model, optimizer, "0", [3])
    new_incoming = model[3].weight[20:].detach().clone()
    new_outgoing = model[6].weight[:, 20:].detach().clone()
    losses = train(model, optimizer, x, y, 25)
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < 0.7 * losses[0]
    # the zero-out filters' outgoing weights start learning at once, their incoming ones a step later
    assert not torch.equal(model[6].weight[:, 20:], new_outgoing)
    assert not torch.equal(model[3].weight[20:], new_incoming)
