print("surgtop")
