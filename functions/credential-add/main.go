// Command credential-add is the Lambda function of the portal route "credential-add".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("credential-add") }
