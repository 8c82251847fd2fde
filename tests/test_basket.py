"""make_baskets: hand-computed matrices, support boundary, oversized orders, levels, errors, real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import crmmine
from crmmine.errors import InputError, MissingColumnError, ParameterError


def _tx(rows):
    """Canonical-looking transactions from (customer, order, product, category, quantity) tuples."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "product_id", "category", "quantity"])
    for c in ("customer_id", "order_id", "product_id", "category"):
        df[c] = df[c].astype("string")
    df["quantity"] = df["quantity"].astype(float)
    return df


@pytest.fixture
def tx():
    return _tx(
        [
            ("c1", "o2", "B", "cat1", 1),
            ("c1", "o2", "A", "cat1", 2),
            ("c1", "o2", "A", "cat1", 1),  # same product twice in an order: held once
            ("c2", "o1", "C", "cat2", 1),
            ("c2", "o1", "A", "cat1", 5),
            ("c2", "o3", "B", "cat1", 1),
            ("c3", "o4", "C", "cat2", -1),  # a return line: not a purchase
            ("c3", "o4", "D", "cat2", 1),
        ]
    )


def test_matrix_from_transactions_hand_computed(tx):
    b = crmmine.make_baskets(tx)
    assert isinstance(b, crmmine.Baskets)
    assert sp.isspmatrix_csr(b.matrix) or isinstance(b.matrix, sp.csr_matrix)
    assert b.matrix.dtype == bool
    assert list(b.items) == ["A", "B", "C", "D"]
    assert list(b.orders) == ["o1", "o2", "o3", "o4"]
    assert b.n_orders == 4
    np.testing.assert_array_equal(
        b.matrix.toarray().astype(int),
        [[1, 0, 1, 0], [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]],
    )
    assert b.customers.to_dict() == {"o1": "c2", "o2": "c1", "o3": "c2", "o4": "c3"}
    assert b.item_counts.to_dict() == {"A": 2, "B": 2, "C": 1, "D": 1}
    assert b.basket_sizes.tolist() == [2, 2, 1, 1]
    assert len(b.oversized) == 0 and len(b) == 4
    assert "4 orders x 4 items" in repr(b)


def test_category_level(tx):
    b = crmmine.make_baskets(tx, level="category")
    assert list(b.items) == ["cat1", "cat2"]
    np.testing.assert_array_equal(b.matrix.toarray().astype(int), [[1, 1], [1, 0], [1, 0], [0, 1]])
    assert b.level == "category"


def test_category_level_without_column_names_it(tx):
    with pytest.raises(MissingColumnError, match=r"no 'category' column.*level='category'.*use level='product'"):
        crmmine.make_baskets(tx.drop(columns="category"), level="category")


def test_iterable_of_baskets_keeps_empty_baskets_as_transactions():
    b = crmmine.make_baskets([["x", "y"], [], ("y",), {"z"}, [1, "x"]])
    assert b.n_orders == 5
    assert list(b.items) == ["1", "x", "y", "z"]
    assert b.matrix[1].nnz == 0
    assert b.customers is None and b.level == "basket"
    assert list(b.orders) == [0, 1, 2, 3, 4]


def test_min_support_drops_items_before_encoding_inclusive_boundary():
    # 10 baskets: x in 3 (support 0.3 exactly: kept at 0.3, float 0.3*10 = 3.0000000000000004),
    # y in 2 (dropped), z in 5
    baskets = [["x", "z"]] * 3 + [["y", "z"]] * 1 + [["y"]] + [["z"]] + [[]] * 4
    b = crmmine.make_baskets(baskets, min_support=0.3)
    assert list(b.items) == ["x", "z"]
    assert b.n_orders == 10  # orders stay, possibly empty
    assert b.item_counts.tolist() == [3, 5]
    b2 = crmmine.make_baskets(baskets, min_support=0.31)
    assert list(b2.items) == ["z"]


def test_oversized_flag_and_drop():
    baskets = [["a", "b", "c"], ["a"], ["a", "b"], ["b", "b", "b"]]
    flagged = crmmine.make_baskets(baskets, max_basket_size=2)
    assert list(flagged.oversized) == [0] and flagged.n_orders == 4
    dropped = crmmine.make_baskets(baskets, max_basket_size=2, oversized="drop")
    assert dropped.n_orders == 3 and list(dropped.orders) == [1, 2, 3] and list(dropped.oversized) == [0]
    assert dropped.item_counts.to_dict() == {"a": 2, "b": 2, "c": 0}
    # support is counted on the orders left
    assert list(crmmine.make_baskets(baskets, max_basket_size=2, oversized="drop", min_support=0.6).items) == ["a", "b"]
    # a Baskets object can be re-filtered
    again = crmmine.make_baskets(flagged, max_basket_size=2, oversized="drop")
    assert again.n_orders == 3
    assert crmmine.make_baskets(flagged) is flagged


def test_clean_result_is_accepted(tx):
    from crmmine import CleanResult

    class Fake:  # duck-typed like CleanResult
        transactions = tx

    assert crmmine.make_baskets(Fake()).n_orders == 4
    assert CleanResult  # the real class is exported


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_support": 0}, r"The 'min_support' parameter must be a number in \(0, 1\].*Got 0 instead"),
        ({"min_support": 1.5}, r"'min_support'.*Got 1.5 instead"),
        ({"min_support": "0.1"}, r"'min_support'.*Got '0.1' instead"),
        ({"level": "sku"}, r"The 'level' parameter must be 'product' or 'category'. Got 'sku' instead"),
        ({"max_basket_size": 0}, r"The 'max_basket_size' parameter must be a positive integer or None. Got 0"),
        ({"oversized": "cap"}, r"The 'oversized' parameter must be 'flag' or 'drop'. Got 'cap' instead"),
    ],
)
def test_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        crmmine.make_baskets([["a"]], **kwargs)


def test_empty_inputs_are_errors(tx):
    with pytest.raises(InputError, match="There are no baskets to mine"):
        crmmine.make_baskets([])
    with pytest.raises(InputError, match="There are no baskets to mine"):
        crmmine.make_baskets(tx.iloc[:0])
    with pytest.raises(InputError, match=r"Each basket must be a list.*Basket 1 is 'ab'"):
        crmmine.make_baskets([["a"], "ab"])
    with pytest.raises(InputError, match=r"must be canonical transactions.*Got int instead"):
        crmmine.make_baskets(5)
    with pytest.raises(InputError, match=r"all 2 orders have more than max_basket_size=1"):
        crmmine.make_baskets([["a", "b"], ["a", "c"]], max_basket_size=1, oversized="drop")


def test_sample_baskets_match_transactions():
    tx = crmmine.load_clean("sample").transactions
    b = crmmine.make_baskets(tx)
    assert b.n_orders == tx["order_id"].nunique()
    assert b.n_items == tx["product_id"].nunique()
    assert b.matrix.nnz == len(tx[["order_id", "product_id"]].drop_duplicates())
    # customers: one per order, as in the table
    first = tx.drop_duplicates("order_id").set_index("order_id")["customer_id"].sort_index()
    assert b.customers.equals(first.rename("customer_id")) or (b.customers.to_numpy() == first.to_numpy()).all()


def test_item_names_from_product_name(tx):
    tx = tx.assign(product_name=pd.array(["Bee", "Ay", "Ay", "Sea", "Ay2", "Bee", "Sea", "Dee"], dtype="string"))
    b = crmmine.make_baskets(tx)
    assert b.item_names.to_dict() == {"A": "Ay", "B": "Bee", "C": "Sea", "D": "Dee"}
    assert crmmine.make_baskets(tx, min_support=0.5).item_names.to_dict() == {"A": "Ay", "B": "Bee"}
    assert crmmine.make_baskets(tx, level="category").item_names is None
