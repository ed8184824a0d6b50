// Command org-certificates is the Lambda function of the portal route "org-certificates".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-certificates") }
