"""What every part needs, knowing nothing of shops or reviews: time, ids, signing, errors."""
