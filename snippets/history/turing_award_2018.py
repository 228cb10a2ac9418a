"""2018: the ACM A.M. Turing Award, and the laureates' works on this site.

A small table of the works in docs/references.bib that have Yoshua
Bengio, Geoffrey Hinton or Yann LeCun among their authors, and what it
says per laureate. The tests check every row against the .bib file. The
page docs/history/2018-turing-award.md shows the sections; importing this
module runs nothing, and ``python -m snippets.history.turing_award_2018``
prints what the page prints.
"""

# --8<-- [start:works]
from typing import NamedTuple

LAUREATES = {  # last name as in the references -> full name
    "Bengio": "Yoshua Bengio",
    "Hinton": "Geoffrey Hinton",
    "LeCun": "Yann LeCun",
}


class Work(NamedTuple):
    key: str  # the entry in the site's references (docs/references.bib)
    year: int
    laureates: tuple[str, ...]  # the laureates among the authors
    title: str  # the start of the title


WORKS = [
    Work("lecun1985", 1985, ("LeCun",),
         "Une procédure d'apprentissage"),
    Work("rumelhart1986", 1986, ("Hinton",),
         "Learning representations by back-propagating errors"),
    Work("rumelhart1986pdp", 1986, ("Hinton",),
         "Learning internal representations by error propagation"),
    Work("lecun1989", 1989, ("LeCun",),
         "Backpropagation Applied to Handwritten Zip Code Recognition"),
    Work("lecun1990nips", 1990, ("LeCun",),
         "Handwritten Digit Recognition with a Back-Propagation Network"),
    Work("lecun1998", 1998, ("LeCun", "Bengio"),
         "Gradient-Based Learning Applied to Document Recognition"),
    Work("glorot2010", 2010, ("Bengio",),
         "Understanding the difficulty of training deep feedforward"),
    Work("nair2010", 2010, ("Hinton",),
         "Rectified Linear Units Improve Restricted Boltzmann Machines"),
    Work("bergstra2011", 2011, ("Bengio",),
         "Algorithms for Hyper-Parameter Optimization"),
    Work("glorot2011", 2011, ("Bengio",),
         "Deep Sparse Rectifier Neural Networks"),
    Work("bengio2012", 2012, ("Bengio",),
         "Practical Recommendations for Gradient-Based Training"),
    Work("bergstra2012", 2012, ("Bengio",),
         "Random Search for Hyper-Parameter Optimization"),
    Work("hinton2012", 2012, ("Hinton",),
         "Improving neural networks by preventing co-adaptation"),
    Work("krizhevsky2012", 2012, ("Hinton",),
         "ImageNet Classification with Deep Convolutional Neural Networks"),
    Work("pascanu2013", 2013, ("Bengio",),
         "On the difficulty of training recurrent neural networks"),
    Work("sutskever2013", 2013, ("Hinton",),
         "On the importance of initialization and momentum"),
    Work("srivastava2014", 2014, ("Hinton",),
         "Dropout"),
    Work("krizhevsky2017", 2017, ("Hinton",),
         "ImageNet Classification with Deep Convolutional Neural Networks"),
]
# --8<-- [end:works]


# --8<-- [start:by_laureate]
def works_of(laureate, *, works=WORKS):
    """The works with `laureate` (a last name) among the authors, oldest
    first."""
    check_choice("laureate", laureate, sorted(LAUREATES))
    return sorted((w for w in works if laureate in w.laureates),
                  key=lambda w: (w.year, w.key))


# The argument checks. Python looks a name up when the function that uses
# it runs, so the checks can follow the code that calls them.
def check_choice(name, value, choices):
    """Raise a ValueError naming `name` unless `value` is one of
    `choices`."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
# --8<-- [end:by_laureate]


if __name__ == "__main__":
    # --8<-- [start:works_run]
    print(f"{len(WORKS)} works in the references have a laureate among "
          f"their authors")
    # --8<-- [end:works_run]

    # --8<-- [start:by_laureate_run]
    for laureate, name in LAUREATES.items():
        mine = works_of(laureate)
        print(f"{name}: {len(mine)} works, {mine[0].year}-{mine[-1].year}")
        for work in mine:
            print(f"  {work.year}  {work.title}  [{work.key}]")
    shared = [w.key for w in WORKS if len(w.laureates) > 1]
    print(f"with two laureates among the authors: {', '.join(shared)}")
    # --8<-- [end:by_laureate_run]
